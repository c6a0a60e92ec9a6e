/* The C test suite of hutano-ffi: every exported function, bad input from C,
 * and results equal to the Rust API's (tests/c/expected.txt, written by the
 * Rust test tests/expected.rs through the pure API on the same data).
 *
 * Usage: test_hutano DATA_DIR EXPECTED_TXT XLSX_FIXTURE
 *   DATA_DIR      hutano-ffi/tests/data (encounters.csv, site.json, site_xlsx.json)
 *   EXPECTED_TXT  hutano-ffi/tests/c/expected.txt
 *   XLSX_FIXTURE  hutano-core/tests/fixtures/encounters.xlsx
 * Prints "N passed, N failed"; exits 1 on any failure. */

#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "harness.h"

/* The settings shared with tests/expected.rs. */
static const char MODELS[] =
    "[[\"sn\", {\"model\": \"seasonal_naive\", \"season_length\": 7}], {\"model\": \"naive\"}]";
static const char ADMISSIONS_QUERY[] =
    "{\"kpi\": \"admissions\", \"start\": \"2024-01-01\", \"end\": "
    "\"2024-05-01\", \"grain\": \"day\", \"by\": [\"department\"]}";
static const char ALOS_QUERY[] =
    "{\"kpi\": \"alos\", \"start\": \"2024-01-01\", \"end\": \"2024-05-01\", "
    "\"by\": [\"department\"]}";
static const char CENSUS_MODEL[] =
    "{\"model\": \"seasonal_naive\", \"season_length\": 7}";
static const char CENSUS_ARRIVAL[] =
    "{\"kind\": \"negative_binomial\", \"level\": 80}";
static const double LEVELS[2] = {80.0, 95.0};

static char *expected_text = NULL;
static char *site_json = NULL;
static char *site_xlsx_json = NULL;
static char csv_path[1024];
static const char *xlsx_path = NULL;

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *buf;
  long size;
  if (f == NULL) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(2);
  }
  fseek(f, 0, SEEK_END);
  size = ftell(f);
  fseek(f, 0, SEEK_SET);
  buf = malloc((size_t)size + 1);
  if (buf == NULL || fread(buf, 1, (size_t)size, f) != (size_t)size) {
    fprintf(stderr, "cannot read %s\n", path);
    exit(2);
  }
  buf[size] = '\0';
  fclose(f);
  if (len != NULL) {
    *len = (size_t)size;
  }
  return buf;
}

/* The rest of the expected line `key ...` (NULL if absent). */
static const char *expected_line(const char *key) {
  size_t k = strlen(key);
  const char *p = expected_text;
  while (p != NULL && *p != '\0') {
    if (strncmp(p, key, k) == 0 && p[k] == ' ') {
      return p + k + 1;
    }
    p = strchr(p, '\n');
    if (p != NULL) {
      p++;
    }
  }
  fprintf(stderr, "no expected line %s\n", key);
  return NULL;
}

/* Parse the expected doubles of `key` into out (at most cap); return count. */
static size_t expected_values(const char *key, double *out, size_t cap) {
  const char *p = expected_line(key);
  size_t n = 0;
  char *end;
  if (p == NULL) {
    return 0;
  }
  while (*p != '\n' && *p != '\0' && n < cap) {
    double v = strtod(p, &end);
    if (end == p) {
      break;
    }
    out[n++] = v;
    p = end;
  }
  return n;
}

/* Every value equals the expected line `key` exactly (NaN equals NaN). */
static void check_expected(const char *key, const double *values, size_t n) {
  double want[512];
  size_t m = expected_values(key, want, 512);
  size_t i;
  int equal = m == n;
  for (i = 0; equal && i < n; i++) {
    equal = same_double(values[i], want[i]);
  }
  if (!equal) {
    fprintf(stderr, "values of %s differ from expected.txt (%zu vs %zu values)\n", key, n, m);
  }
  CHECK(equal);
}

static hutano_dataset *load_fixture(void) {
  hutano_dataset *ds = NULL;
  CHECK_OK(hutano_dataset_load(csv_path, strlen(csv_path), site_json, strlen(site_json), &ds));
  return ds;
}

static void test_version_and_messages(void) {
  char buf[256];
  char tiny[4];
  size_t n = 99;
  unsigned code;
  CHECK(strcmp(hutano_version(), HUTANO_VERSION) == 0);
  CHECK(HUTANO_VERSION_MAJOR >= 0 && HUTANO_VERSION_MINOR >= 0 && HUTANO_VERSION_PATCH >= 0);
  for (code = 0; code < 200; code++) {
    CHECK_OK(hutano_result_message(code, buf, sizeof buf, &n));
    CHECK(n == strlen(buf) && n > 0);
  }
  CHECK_OK(hutano_result_message(HUTANO_RESULT_OK, buf, sizeof buf, &n));
  CHECK(strcmp(buf, "success") == 0);
  CHECK_OK(hutano_result_message(12345, buf, sizeof buf, &n));
  CHECK(strcmp(buf, "unknown result code") == 0);
  /* Truncated to fit, NUL-terminated. */
  CHECK_OK(hutano_result_message(HUTANO_RESULT_OK, tiny, sizeof tiny, &n));
  CHECK(n == 3 && strcmp(tiny, "suc") == 0);
  CHECK_OK(hutano_result_message(HUTANO_RESULT_OK, NULL, 0, &n));
  CHECK(n == 0);
  CHECK_CODE(hutano_result_message(HUTANO_RESULT_OK, NULL, 8, &n), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_result_message(HUTANO_RESULT_OK, buf, sizeof buf, NULL), HUTANO_RESULT_NULL_PARAMETER);
  /* The detail of the last failure on this thread. */
  CHECK_CODE(hutano_kpi_count(NULL), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_OK(hutano_last_error_detail(buf, sizeof buf, &n));
  CHECK(strcmp(buf, "out is NULL") == 0);
  CHECK_CODE(hutano_last_error_detail(NULL, 4, &n), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_last_error_detail(buf, sizeof buf, NULL), HUTANO_RESULT_NULL_PARAMETER);
  /* The failed detail calls did not replace the detail. */
  CHECK_OK(hutano_last_error_detail(buf, sizeof buf, &n));
  CHECK(strcmp(buf, "out is NULL") == 0);
}

static void test_load_report(void) {
  hutano_dataset *ds = load_fixture();
  hutano_load_report *report = NULL;
  uint64_t read = 0, loaded = 0, rejected = 0, row = 0;
  double counts[3], rows[16];
  char buf[512], reasons[512] = "";
  char tiny[4];
  size_t n = 0, i, encounters = 0;
  CHECK_OK(hutano_dataset_encounters(ds, &encounters));
  counts[0] = (double)encounters;
  check_expected("encounters", counts, 1);
  CHECK_OK(hutano_dataset_load_report(ds, &report));
  CHECK_OK(hutano_load_report_counts(report, &read, &loaded, &rejected));
  counts[0] = (double)read;
  counts[1] = (double)loaded;
  counts[2] = (double)rejected;
  check_expected("report_counts", counts, 3);
  CHECK(read == loaded + rejected);
  for (i = 0; i < rejected && i < 16; i++) {
    CHECK_OK(hutano_load_report_reject_row(report, (size_t)i, &row));
    rows[i] = (double)row;
    CHECK_OK(hutano_load_report_reject_reason(report, i, buf, sizeof buf, &n));
    if (i > 0) {
      strcat(reasons, " ");
    }
    strcat(reasons, buf);
  }
  check_expected("reject_rows", rows, (size_t)rejected);
  CHECK(strncmp(expected_line("reject_reasons"), reasons, strlen(reasons)) == 0);
  CHECK_OK(hutano_load_report_reject_column(report, 0, buf, sizeof buf, &n));
  CHECK(strcmp(buf, "discharged") == 0 && n == 10);
  CHECK_OK(hutano_load_report_reject_message(report, 0, buf, sizeof buf, &n));
  CHECK(strcmp(buf, "row 590, column discharged: discharge before admission") == 0);
  /* Messages name rows and columns, never a cell's value (no patient id). */
  CHECK(strstr(buf, "R0001") == NULL);
  CHECK_OK(hutano_load_report_json(report, buf, sizeof buf, &n));
  CHECK(strstr(buf, "\"rows_read\":594") != NULL);
  /* Size query, too small a buffer, index out of range, NULLs. */
  CHECK_CODE(hutano_load_report_reject_message(report, 0, NULL, 0, &n), HUTANO_RESULT_BUFFER_TOO_SMALL);
  CHECK(n == strlen("row 590, column discharged: discharge before admission"));
  memcpy(tiny, "xyz", 4);
  CHECK_CODE(hutano_load_report_reject_column(report, 0, tiny, sizeof tiny, &n), HUTANO_RESULT_BUFFER_TOO_SMALL);
  CHECK(n == 10 && strcmp(tiny, "xyz") == 0);
  CHECK_CODE(hutano_load_report_reject_row(report, 6, &row), HUTANO_RESULT_INDEX_OUT_OF_RANGE);
  CHECK_CODE(hutano_load_report_reject_row(report, 0, NULL), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_load_report_reject_reason(report, 99, buf, sizeof buf, &n), HUTANO_RESULT_INDEX_OUT_OF_RANGE);
  CHECK_CODE(hutano_load_report_counts(report, NULL, &loaded, &rejected), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_load_report_counts(NULL, &read, &loaded, &rejected), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_load_report_json(report, NULL, 5, &n), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_load_report_json(report, buf, sizeof buf, NULL), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_dataset_load_report(ds, NULL), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_dataset_encounters(NULL, &encounters), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_OK(hutano_load_report_free(report));
  CHECK_CODE(hutano_load_report_free(report), HUTANO_RESULT_INVALID_HANDLE);
  CHECK_CODE(hutano_load_report_counts(report, &read, &loaded, &rejected), HUTANO_RESULT_INVALID_HANDLE);
  CHECK_OK(hutano_dataset_free(ds));
  CHECK_CODE(hutano_dataset_free(ds), HUTANO_RESULT_INVALID_HANDLE);
  CHECK_OK(hutano_dataset_free(NULL));
}

static void test_load_errors(void) {
  hutano_dataset *ds = NULL;
  hutano_load_report *report = NULL;
  uint64_t read = 0, loaded = 0, rejected = 0;
  size_t n = 0;
  char buf[256];
  /* In memory, with a row that is not UTF-8: a reject, not an error. */
  static const char csv[] =
      "visit,patient,admitted,discharged,department,sex,outcome,age\n"
      "V1,P1,2024-01-01 10:00,2024-01-03 10:00,MED,F,A,40\n"
      "V2,P\xff\xfe,2024-01-01 10:00,2024-01-03 10:00,MED,F,A,40\n"
      "V3,P3,2024-01-02 10:00,,SURG,M,,70\n";
  static const char bad_utf8[] = "tests/data/\xc3\x28.csv";
  CHECK_OK(hutano_dataset_load_csv((const uint8_t *)csv, sizeof csv - 1, site_json, strlen(site_json), &ds));
  CHECK_OK(hutano_dataset_load_report(ds, &report));
  CHECK_OK(hutano_load_report_counts(report, &read, &loaded, &rejected));
  CHECK(read == 3 && loaded == 2 && rejected == 1);
  CHECK_OK(hutano_load_report_reject_reason(report, 0, buf, sizeof buf, &n));
  CHECK(strcmp(buf, "invalid_utf8") == 0);
  CHECK_OK(hutano_load_report_free(report));
  CHECK_OK(hutano_dataset_free(ds));
  ds = NULL;
  /* Errors: outputs untouched. */
  CHECK_CODE(hutano_dataset_load(S("/nonexistent/x.csv"), site_json, strlen(site_json), &ds), HUTANO_RESULT_IO);
  CHECK(ds == NULL);
  CHECK_CODE(hutano_dataset_load(csv_path, strlen(csv_path), S("{\"name\": 1}"), &ds), HUTANO_RESULT_MAPPING);
  CHECK_CODE(hutano_dataset_load(csv_path, strlen(csv_path), S(""), &ds), HUTANO_RESULT_MAPPING);
  CHECK_CODE(hutano_dataset_load(S(bad_utf8), site_json, strlen(site_json), &ds), HUTANO_RESULT_INVALID_UTF8);
  CHECK_CODE(hutano_dataset_load(NULL, 5, site_json, strlen(site_json), &ds), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_dataset_load(csv_path, strlen(csv_path), NULL, 3, &ds), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_dataset_load(csv_path, strlen(csv_path), site_json, strlen(site_json), NULL),
             HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_dataset_load(NULL, 0, site_json, strlen(site_json), &ds), HUTANO_RESULT_IO);
  CHECK(ds == NULL);
  /* A mapped column missing from the header. */
  CHECK_CODE(hutano_dataset_load_csv((const uint8_t *)S("a,b\n1,2\n"), site_json, strlen(site_json), &ds),
             HUTANO_RESULT_MAPPING);
  /* Zero-length data: no header. */
  CHECK_CODE(hutano_dataset_load_csv(NULL, 0, site_json, strlen(site_json), &ds), HUTANO_RESULT_MAPPING);
  CHECK_CODE(hutano_dataset_load_csv(NULL, 10, site_json, strlen(site_json), &ds), HUTANO_RESULT_NULL_PARAMETER);
  CHECK(ds == NULL);
  /* An .xlsx workbook, by its extension. */
  CHECK_OK(hutano_dataset_load(xlsx_path, strlen(xlsx_path), site_xlsx_json, strlen(site_xlsx_json), &ds));
  CHECK_OK(hutano_dataset_load_report(ds, &report));
  CHECK_OK(hutano_load_report_counts(report, &read, &loaded, &rejected));
  CHECK(read == 6 && loaded == 3 && rejected == 3);
  CHECK_OK(hutano_load_report_reject_reason(report, 0, buf, sizeof buf, &n));
  CHECK(strcmp(buf, "discharge_before_admission") == 0);
  CHECK_OK(hutano_load_report_free(report));
  CHECK_OK(hutano_dataset_free(ds));
  /* Generated data: no load report. */
  ds = NULL;
  CHECK_OK(hutano_dataset_generate(S("india"), 7, 10, &ds));
  CHECK_OK(hutano_dataset_encounters(ds, &n));
  CHECK(n > 0);
  report = NULL;
  CHECK_CODE(hutano_dataset_load_report(ds, &report), HUTANO_RESULT_NOT_FOUND);
  CHECK(report == NULL);
  CHECK_OK(hutano_dataset_free(ds));
  CHECK_CODE(hutano_dataset_generate(S("mars"), 7, 10, &ds), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_generate(S("india"), 7, 10, NULL), HUTANO_RESULT_NULL_PARAMETER);
}

/* A panel of the table's daily admissions, one series per department, in
 * order of first appearance (as Panel::from_long in the Rust test). */
static hutano_panel *panel_from_table(const hutano_table *t) {
  size_t rows = 0, cols = 0, jd = 0, jdate = 0, jy = 0, n = 0, r, k, nlabels = 0;
  char labels[8][32];
  char label[32];
  int64_t *days, *ds;
  double *y, *ys;
  hutano_panel *panel = NULL;
  CHECK_OK(hutano_table_shape(t, &rows, &cols));
  CHECK_OK(hutano_table_column_index(t, S("department"), &jd));
  CHECK_OK(hutano_table_column_index(t, S("period_start"), &jdate));
  CHECK_OK(hutano_table_column_index(t, S("admissions"), &jy));
  days = malloc(rows * sizeof *days);
  y = malloc(rows * sizeof *y);
  ds = malloc(rows * sizeof *ds);
  ys = malloc(rows * sizeof *ys);
  CHECK_OK(hutano_table_column_i64(t, jdate, days, rows, &n));
  CHECK_OK(hutano_table_column_f64(t, jy, y, rows, &n));
  CHECK_OK(hutano_panel_new(HUTANO_FREQ_DAILY, HUTANO_FILL_ZERO, &panel));
  for (r = 0; r < rows; r++) {
    int seen = 0;
    CHECK_OK(hutano_table_cell_text(t, jd, r, label, sizeof label, &n));
    for (k = 0; k < nlabels; k++) {
      seen |= strcmp(labels[k], label) == 0;
    }
    if (!seen && nlabels < 8) {
      strcpy(labels[nlabels++], label);
    }
  }
  for (k = 0; k < nlabels; k++) {
    size_t m = 0;
    for (r = 0; r < rows; r++) {
      CHECK_OK(hutano_table_cell_text(t, jd, r, label, sizeof label, &n));
      if (strcmp(label, labels[k]) == 0) {
        ds[m] = days[r] * 86400;
        ys[m] = y[r];
        m++;
      }
    }
    CHECK_OK(hutano_panel_add_series(panel, labels[k], strlen(labels[k]), ds, m, ys, m));
  }
  free(days);
  free(y);
  free(ds);
  free(ys);
  return panel;
}

static void test_kpi(hutano_dataset *ds) {
  hutano_table *t = NULL, *alos = NULL;
  size_t count = 0, rows = 0, cols = 0, n = 0, j = 0, i;
  char buf[256];
  double *values;
  int64_t *dates;
  hutano_column_type type = 0;
  CHECK_OK(hutano_kpi_count(&count));
  CHECK(count == 14);
  for (i = 0; i < count; i++) {
    CHECK_OK(hutano_kpi_name(i, buf, sizeof buf, &n));
    CHECK(n > 0);
  }
  CHECK_OK(hutano_kpi_name(4, buf, sizeof buf, &n));
  CHECK(strcmp(buf, "alos") == 0);
  CHECK_CODE(hutano_kpi_name(14, buf, sizeof buf, &n), HUTANO_RESULT_INDEX_OUT_OF_RANGE);

  CHECK_OK(hutano_dataset_kpi(ds, S(ADMISSIONS_QUERY), &t));
  CHECK_OK(hutano_table_shape(t, &rows, &cols));
  CHECK(rows == 238 && cols == 12); /* days without an admission in a department have no row */
  CHECK_OK(hutano_table_column_name(t, 0, buf, sizeof buf, &n));
  CHECK(strcmp(buf, "department") == 0 && n == 10);
  CHECK_OK(hutano_table_column_type(t, 0, &type));
  CHECK(type == HUTANO_COLUMN_TYPE_TEXT);
  CHECK_OK(hutano_table_column_index(t, S("period_start"), &j));
  CHECK(j == 1);
  CHECK_OK(hutano_table_column_type(t, j, &type));
  CHECK(type == HUTANO_COLUMN_TYPE_DATE);
  CHECK_OK(hutano_table_column_index(t, S("admissions"), &j));
  CHECK_OK(hutano_table_column_type(t, j, &type));
  CHECK(type == HUTANO_COLUMN_TYPE_INT);
  values = malloc(rows * sizeof *values);
  dates = malloc(rows * sizeof *dates);
  CHECK_OK(hutano_table_column_f64(t, j, values, rows, &n));
  CHECK(n == rows);
  check_expected("kpi_admissions", values, n);
  CHECK_OK(hutano_table_column_i64(t, j, dates, rows, &n));
  CHECK(n == rows && (double)dates[5] == values[5]);
  CHECK_OK(hutano_table_column_i64(t, 1, dates, rows, &n));
  CHECK(dates[0] == 19723); /* 2024-01-01 */
  CHECK_OK(hutano_table_cell_text(t, 1, 0, buf, sizeof buf, &n));
  CHECK(strcmp(buf, "2024-01-01") == 0);
  CHECK_OK(hutano_table_cell_text(t, 0, 0, buf, sizeof buf, &n));
  CHECK(strcmp(buf, "MED") == 0);
  CHECK_OK(hutano_table_cell_text(t, j, 1, buf, sizeof buf, &n));
  CHECK(strcmp(buf, "4") == 0);
  CHECK_CODE(hutano_table_csv(t, NULL, 0, &n), HUTANO_RESULT_BUFFER_TOO_SMALL);
  {
    char *csv = malloc(n + 1);
    size_t m = 0;
    CHECK_OK(hutano_table_csv(t, csv, n + 1, &m));
    CHECK(m == n && strncmp(csv, "department,period_start,days,admissions", 39) == 0);
    free(csv);
  }
  /* Wrong types, bad indices, small buffers, NULLs. */
  CHECK_CODE(hutano_table_column_f64(t, 1, values, rows, &n), HUTANO_RESULT_WRONG_TYPE);
  CHECK_CODE(hutano_table_column_i64(t, 0, dates, rows, &n), HUTANO_RESULT_WRONG_TYPE);
  CHECK_CODE(hutano_table_column_f64(t, 99, values, rows, &n), HUTANO_RESULT_INDEX_OUT_OF_RANGE);
  CHECK_CODE(hutano_table_column_f64(t, j, values, 3, &n), HUTANO_RESULT_BUFFER_TOO_SMALL);
  CHECK(n == rows);
  CHECK_CODE(hutano_table_column_f64(t, j, NULL, 3, &n), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_table_column_f64(t, j, values, rows, NULL), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_table_column_index(t, S("nope"), &j), HUTANO_RESULT_NOT_FOUND);
  CHECK_CODE(hutano_table_column_index(t, S("\xff"), &j), HUTANO_RESULT_INVALID_UTF8);
  CHECK_CODE(hutano_table_column_type(t, 99, &type), HUTANO_RESULT_INDEX_OUT_OF_RANGE);
  CHECK_CODE(hutano_table_column_name(t, 99, buf, sizeof buf, &n), HUTANO_RESULT_INDEX_OUT_OF_RANGE);
  CHECK_CODE(hutano_table_cell_text(t, 0, rows, buf, sizeof buf, &n), HUTANO_RESULT_INDEX_OUT_OF_RANGE);
  CHECK_CODE(hutano_table_shape(t, NULL, &cols), HUTANO_RESULT_NULL_PARAMETER);
  free(values);
  free(dates);

  /* ALOS by department, a float column. */
  CHECK_OK(hutano_dataset_kpi(ds, S(ALOS_QUERY), &alos));
  CHECK_OK(hutano_table_column_index(alos, S("alos"), &j));
  {
    double v[2];
    CHECK_OK(hutano_table_column_f64(alos, j, v, 2, &n));
    check_expected("kpi_alos", v, n);
    CHECK_OK(hutano_table_column_type(alos, j, &type));
    CHECK(type == HUTANO_COLUMN_TYPE_FLOAT);
    CHECK_CODE(hutano_table_column_i64(alos, j, (int64_t *)(void *)v, 2, &n), HUTANO_RESULT_WRONG_TYPE);
  }
  CHECK_OK(hutano_table_free(alos));
  alos = NULL;
  /* A KPI with options, filters and age bands. */
  CHECK_OK(hutano_dataset_kpi(ds,
                              S("{\"kpi\": {\"kpi\": \"alos\", \"variant\": \"overnight_only\"}, \"start\": "
                                "\"2024-01-01\", \"end\": \"2024-02-01\", \"grain\": \"week\", \"by\": [\"age_band\"], "
                                "\"filters\": {\"sex\": [\"female\"]}, \"age_bands\": [0, 50]}"),
                              &alos));
  CHECK_OK(hutano_table_free(alos));
  alos = NULL;
  /* Bad queries. */
  CHECK_CODE(hutano_dataset_kpi(ds, S("{\"kpi\": \"occupancy\", \"start\": \"2024-01-01\", \"end\": \"2024-02-01\"}"),
                                &alos),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_kpi(ds, S("{\"kpi\": \"alos\", \"start\": \"2024-02-01\", \"end\": \"2024-01-01\"}"), &alos),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_kpi(ds, S("{\"kpi\": \"alos\", \"start\": \"2024-13-01\", \"end\": \"2024-01-01\"}"), &alos),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_kpi(ds, S("{\"kpi\": \"alos\"}"), &alos), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_kpi(ds, S("not json"), &alos), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_kpi(ds, NULL, 0, &alos), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_kpi(ds, S(ALOS_QUERY), NULL), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_dataset_kpi(NULL, S(ALOS_QUERY), &alos), HUTANO_RESULT_NULL_PARAMETER);
  CHECK(alos == NULL);
  CHECK_OK(hutano_table_free(t));
  CHECK_CODE(hutano_table_free(t), HUTANO_RESULT_INVALID_HANDLE);
  CHECK_CODE(hutano_table_shape(t, &rows, &cols), HUTANO_RESULT_INVALID_HANDLE);
}

static void test_panel_errors(void) {
  hutano_panel *p = NULL;
  int64_t ds[4] = {0, 86400, 2 * 86400, 3 * 86400};
  double y[4] = {1.0, 2.0, 3.0, 4.0};
  double y_nan[4] = {1.0, NAN, 3.0, 4.0};
  int64_t ds_gap[3] = {0, 86400, 3 * 86400};
  int64_t ds_off[2] = {0, 3600};
  int64_t ds_dup[2] = {0, 0};
  size_t n = 0;
  char detail[256];
  CHECK_CODE(hutano_panel_new(9, HUTANO_FILL_ERROR, &p), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_panel_new(HUTANO_FREQ_DAILY, 7, &p), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_panel_new(HUTANO_FREQ_DAILY, HUTANO_FILL_ERROR, NULL), HUTANO_RESULT_NULL_PARAMETER);
  CHECK(p == NULL);
  CHECK_OK(hutano_panel_new(HUTANO_FREQ_DAILY, HUTANO_FILL_ERROR, &p));
  CHECK_CODE(hutano_panel_add_series(p, S("a"), ds, 4, y, 3), HUTANO_RESULT_LENGTH_MISMATCH);
  CHECK_CODE(hutano_panel_add_series(p, S("a"), ds, 0, y, 0), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_panel_add_series(p, S("a"), NULL, 4, y, 4), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_panel_add_series(p, S("a"), ds, 4, NULL, 4), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_panel_add_series(p, S("\xc3\x28"), ds, 4, y, 4), HUTANO_RESULT_INVALID_UTF8);
  CHECK_CODE(hutano_panel_add_series(p, S(""), ds, 4, y, 4), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_panel_add_series(p, S("a"), ds, 4, y_nan, 4), HUTANO_RESULT_INVALID_DATA);
  CHECK_OK(hutano_last_error_detail(detail, sizeof detail, &n));
  CHECK(strcmp(detail, "non-finite value in series \"a\" at row 1") == 0);
  CHECK_CODE(hutano_panel_add_series(p, S("a"), ds_gap, 3, y, 3), HUTANO_RESULT_INVALID_DATA);
  CHECK_CODE(hutano_panel_add_series(p, S("a"), ds_off, 2, y, 2), HUTANO_RESULT_INVALID_DATA);
  CHECK_CODE(hutano_panel_add_series(p, S("a"), ds_dup, 2, y, 2), HUTANO_RESULT_INVALID_DATA);
  {
    int64_t far[1] = {INT64_MAX};
    CHECK_CODE(hutano_panel_add_series(p, S("a"), far, 1, y, 1), HUTANO_RESULT_INVALID_PARAMETER);
  }
  CHECK_CODE(hutano_panel_add_series(NULL, S("a"), ds, 4, y, 4), HUTANO_RESULT_NULL_PARAMETER);
  /* Every failure left the panel empty. */
  CHECK_OK(hutano_panel_series_count(p, &n));
  CHECK(n == 0);
  CHECK_OK(hutano_panel_add_series(p, S("a"), ds, 4, y, 4));
  CHECK_CODE(hutano_panel_add_series(p, S("a"), ds, 4, y, 4), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_OK(hutano_panel_series_count(p, &n));
  CHECK(n == 1);
  CHECK_CODE(hutano_panel_series_count(p, NULL), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_OK(hutano_panel_free(p));
  CHECK_CODE(hutano_panel_free(p), HUTANO_RESULT_INVALID_HANDLE);
  CHECK_CODE(hutano_panel_series_count(p, &n), HUTANO_RESULT_INVALID_HANDLE);
}

static void check_forecast_columns(const hutano_forecast *f) {
  size_t rows = 0, cols = 0, n = 0, j;
  char name[64], key[80];
  double *v;
  CHECK_OK(hutano_forecast_shape(f, &rows, &cols));
  CHECK(rows == 28 && cols == 10);
  v = malloc(rows * sizeof *v);
  for (j = 0; j < cols; j++) {
    CHECK_OK(hutano_forecast_column_name(f, j, name, sizeof name, &n));
    CHECK_OK(hutano_forecast_values(f, j, v, rows, &n));
    snprintf(key, sizeof key, "predict %s", name);
    check_expected(key, v, n);
  }
  free(v);
}

static void test_forecast(hutano_dataset *ds) {
  hutano_table *t = NULL;
  hutano_panel *panel, *empty = NULL, *short_panel = NULL;
  hutano_forecaster *fc = NULL, *bad = NULL;
  hutano_fitted *fitted = NULL, *none = NULL;
  hutano_forecast *pred = NULL, *cv = NULL, *missing = NULL;
  hutano_metrics m;
  size_t rows = 0, cols = 0, n = 0, j = 0, count = 0, series[28];
  int64_t stamps[28], cut[28];
  double actual[28], cover[4];
  double nan_level[1] = {NAN}, level_100[1] = {100.0};
  char buf[128];
  static const char *models[2] = {"sn", "Naive"};
  int k;

  CHECK_OK(hutano_dataset_kpi(ds, S(ADMISSIONS_QUERY), &t));
  panel = panel_from_table(t);
  CHECK_OK(hutano_table_free(t));
  CHECK_OK(hutano_panel_series_count(panel, &n));
  CHECK(n == 2);

  /* Forecasters: bad specs are caught when made. */
  CHECK_CODE(hutano_forecaster_new(S("[{\"model\": \"seasonal_naive\", \"season_length\": 0}]"), true, &bad),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_forecaster_new(S("[{\"model\": \"crystal_ball\"}]"), true, &bad), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_forecaster_new(S("[]"), true, &bad), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_forecaster_new(S("[{\"model\": \"naive\"}, {\"model\": \"naive\"}]"), true, &bad),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_forecaster_new(S("{"), true, &bad), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_forecaster_new(NULL, 2, true, &bad), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_forecaster_new(S(MODELS), true, NULL), HUTANO_RESULT_NULL_PARAMETER);
  CHECK(bad == NULL);
  CHECK_OK(hutano_forecaster_new(S(MODELS), true, &fc));

  /* Fitting: an empty panel is refused. */
  CHECK_OK(hutano_panel_new(HUTANO_FREQ_DAILY, HUTANO_FILL_ERROR, &empty));
  CHECK_CODE(hutano_forecaster_fit(fc, empty, &none), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_forecaster_fit(fc, NULL, &none), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_forecaster_fit(fc, panel, NULL), HUTANO_RESULT_NULL_PARAMETER);
  /* A forecaster passed where a panel is expected: caught by type. */
  CHECK_CODE(hutano_forecaster_fit(fc, (const hutano_panel *)(const void *)fc, &none), HUTANO_RESULT_INVALID_HANDLE);
  CHECK(none == NULL);
  CHECK_OK(hutano_forecaster_fit(fc, panel, &fitted));

  /* Predict with levels; the same numbers as the Rust API. */
  CHECK_CODE(hutano_fitted_predict(fitted, 14, nan_level, 1, &pred), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_fitted_predict(fitted, 14, level_100, 1, &pred), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_fitted_predict(fitted, 0, LEVELS, 2, &pred), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_fitted_predict(fitted, 14, NULL, 2, &pred), HUTANO_RESULT_NULL_PARAMETER);
  CHECK(pred == NULL);
  CHECK_OK(hutano_fitted_predict(fitted, 14, NULL, 0, &pred));
  CHECK_OK(hutano_forecast_shape(pred, &rows, &cols));
  CHECK(rows == 28 && cols == 2);
  CHECK_OK(hutano_forecast_free(pred));
  pred = NULL;
  CHECK_OK(hutano_fitted_predict(fitted, 14, LEVELS, 2, &pred));
  check_forecast_columns(pred);
  CHECK_OK(hutano_forecast_column_index(pred, S("sn-hi-95"), &j));
  CHECK(j == 4);
  CHECK_CODE(hutano_forecast_column_index(pred, S("sn-hi-99"), &j), HUTANO_RESULT_NOT_FOUND);
  CHECK_OK(hutano_forecast_series(pred, series, 28, &n));
  CHECK(n == 28 && series[0] == 0 && series[27] == 1);
  CHECK_OK(hutano_forecast_ds(pred, stamps, 28, &n));
  CHECK(stamps[0] == (19723 + 121) * (int64_t)86400); /* 2024-05-01 */
  CHECK_OK(hutano_forecast_cutoff(pred, cut, 28, &n));
  CHECK(cut[0] == stamps[0] - 86400);
  CHECK_OK(hutano_forecast_actual(pred, actual, 28, &n));
  CHECK(isnan(actual[0]));
  CHECK_OK(hutano_forecast_series_count(pred, &count));
  CHECK(count == 2);
  CHECK_OK(hutano_forecast_unique_id(pred, 0, buf, sizeof buf, &n));
  CHECK(strcmp(buf, "SURG") == 0 || strcmp(buf, "MED") == 0);
  CHECK_CODE(hutano_forecast_unique_id(pred, 2, buf, sizeof buf, &n), HUTANO_RESULT_INDEX_OUT_OF_RANGE);
  CHECK_CODE(hutano_forecast_values(pred, 15, actual, 28, &n), HUTANO_RESULT_INDEX_OUT_OF_RANGE);
  CHECK_CODE(hutano_forecast_values(pred, 0, actual, 27, &n), HUTANO_RESULT_BUFFER_TOO_SMALL);
  CHECK(n == 28);
  CHECK_CODE(hutano_forecast_ds(pred, NULL, 28, &n), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_forecast_column_name(pred, 99, buf, sizeof buf, &n), HUTANO_RESULT_INDEX_OUT_OF_RANGE);
  CHECK_CODE(hutano_forecast_csv(pred, NULL, 0, &n), HUTANO_RESULT_BUFFER_TOO_SMALL);
  {
    char *csv = malloc(n + 1);
    size_t m = 0;
    CHECK_OK(hutano_forecast_csv(pred, csv, n + 1, &m));
    CHECK(strncmp(csv, "unique_id,ds,cutoff,y,sn,sn-lo-80,sn-hi-80", 42) == 0);
    CHECK(strstr(csv, "2024-05-01T00:00:00,2024-04-30T00:00:00,,") != NULL);
    free(csv);
  }
  /* Not a backtest. */
  CHECK_CODE(hutano_forecast_metrics(pred, S("sn"), 7, &m), HUTANO_RESULT_NOT_FOUND);

  /* Backtest and metrics. */
  CHECK_CODE(hutano_forecaster_cross_validation(fc, panel, 7, 0, 7, LEVELS, 1, &cv), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_forecaster_cross_validation(fc, panel, 7, 3, 7, nan_level, 1, &cv),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_OK(hutano_panel_new(HUTANO_FREQ_DAILY, HUTANO_FILL_ERROR, &short_panel));
  {
    int64_t d[3] = {0, 86400, 2 * 86400};
    double y[3] = {1.0, 2.0, 3.0};
    CHECK_OK(hutano_panel_add_series(short_panel, S("tiny"), d, 3, y, 3));
  }
  CHECK_CODE(hutano_forecaster_cross_validation(fc, short_panel, 7, 3, 7, LEVELS, 1, &cv),
             HUTANO_RESULT_SERIES_TOO_SHORT);
  CHECK(cv == NULL);
  CHECK_OK(hutano_forecaster_cross_validation(fc, panel, 7, 3, 7, LEVELS, 1, &cv));
  CHECK_OK(hutano_forecast_shape(cv, &rows, &cols));
  CHECK(rows == 42 && cols == 6);
  for (k = 0; k < 2; k++) {
    double got[7];
    char key[64];
    CHECK_OK(hutano_forecast_metrics(cv, models[k], strlen(models[k]), 7, &m));
    got[0] = m.mase;
    got[1] = m.smape;
    got[2] = m.rmse;
    got[3] = m.mae;
    got[4] = m.bias;
    got[5] = m.pinball;
    got[6] = m.crps;
    snprintf(key, sizeof key, "metrics %s", models[k]);
    check_expected(key, got, 7);
    CHECK_OK(hutano_forecast_coverage(cv, models[k], strlen(models[k]), cover, 4, &n));
    snprintf(key, sizeof key, "coverage %s", models[k]);
    check_expected(key, cover, n);
  }
  CHECK_CODE(hutano_forecast_metrics(cv, S("prophet"), 7, &m), HUTANO_RESULT_NOT_FOUND);
  CHECK_CODE(hutano_forecast_metrics(cv, S("sn"), 0, &m), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_forecast_metrics(cv, NULL, 2, 7, &m), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_forecast_coverage(cv, S("sn"), cover, 0, &n), HUTANO_RESULT_BUFFER_TOO_SMALL);
  CHECK(n == 1);
  CHECK_CODE(hutano_forecast_actual(cv, actual, 28, &n), HUTANO_RESULT_BUFFER_TOO_SMALL);
  CHECK(n == 42);

  /* Double frees and use after free: caught while the address is not reused. */
  CHECK_OK(hutano_forecast_free(cv));
  CHECK_CODE(hutano_forecast_free(cv), HUTANO_RESULT_INVALID_HANDLE);
  CHECK_OK(hutano_forecast_free(pred));
  CHECK_CODE(hutano_forecast_shape(pred, &rows, &cols), HUTANO_RESULT_INVALID_HANDLE);
  CHECK_OK(hutano_fitted_free(fitted));
  CHECK_CODE(hutano_fitted_free(fitted), HUTANO_RESULT_INVALID_HANDLE);
  CHECK_CODE(hutano_fitted_predict(fitted, 14, LEVELS, 2, &missing), HUTANO_RESULT_INVALID_HANDLE);
  CHECK(missing == NULL);
  CHECK_OK(hutano_forecaster_free(fc));
  CHECK_CODE(hutano_forecaster_free(fc), HUTANO_RESULT_INVALID_HANDLE);
  CHECK_OK(hutano_panel_free(panel));
  CHECK_OK(hutano_panel_free(empty));
  CHECK_OK(hutano_panel_free(short_panel));
  CHECK_OK(hutano_forecaster_free(NULL));
  CHECK_OK(hutano_fitted_free(NULL));
  CHECK_OK(hutano_forecast_free(NULL));
  CHECK_OK(hutano_panel_free(NULL));
}

static void test_resources(hutano_dataset *ds) {
  hutano_bed_sizing b;
  hutano_census *c = NULL, *none = NULL;
  double v[7], lo[7], hi[7], got[7], erl = 0.0;
  int64_t days[7];
  size_t n = 0;
  CHECK_OK(hutano_erlang_b(10, 5.0, &erl));
  check_expected("erlang_b", &erl, 1);
  CHECK_CODE(hutano_erlang_b(10, NAN, &erl), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_erlang_b(10, -1.0, &erl), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_erlang_b(10, 5.0, NULL), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_OK(hutano_beds_for_blocking(2.0, 4.0, 0.05, &b));
  got[0] = b.offered_load;
  got[1] = b.target;
  got[2] = (double)b.erlang_beds;
  got[3] = b.erlang_blocking;
  got[4] = b.erlang_occupancy;
  got[5] = (double)b.occupancy_rule_beds;
  got[6] = b.occupancy_rule_blocking;
  check_expected("beds", got, 7);
  CHECK_CODE(hutano_beds_for_blocking(NAN, 4.0, 0.05, &b), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_beds_for_blocking(2.0, 4.0, 1.0, &b), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_beds_for_blocking(2.0, 4.0, 0.05, NULL), HUTANO_RESULT_NULL_PARAMETER);

  CHECK_OK(hutano_dataset_census_forecast(ds, S("2024-04-20"), 7, LEVELS, 2, S(CENSUS_MODEL), S(CENSUS_ARRIVAL), &c));
  CHECK_OK(hutano_census_mean(c, v, 7, &n));
  check_expected("census_mean", v, n);
  CHECK_OK(hutano_census_interval(c, 80.0, lo, hi, 7, &n));
  check_expected("census_lo80", lo, n);
  check_expected("census_hi80", hi, n);
  CHECK_OK(hutano_census_prob_above(c, 25.0, v, 7, &n));
  check_expected("census_prob_above", v, n);
  CHECK_OK(hutano_census_days(c, days, 7, &n));
  CHECK(n == 7 && days[0] == 19834); /* 2024-04-21 */
  CHECK_CODE(hutano_census_interval(c, 50.0, lo, hi, 7, &n), HUTANO_RESULT_NOT_FOUND);
  CHECK_CODE(hutano_census_interval(c, 80.0, lo, NULL, 7, &n), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_census_interval(c, 80.0, lo, hi, 6, &n), HUTANO_RESULT_BUFFER_TOO_SMALL);
  CHECK(n == 7);
  CHECK_CODE(hutano_census_prob_above(c, NAN, v, 7, &n), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_census_mean(c, v, 7, NULL), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_dataset_census_forecast(ds, S("2024-04-20"), 0, LEVELS, 2, S(CENSUS_MODEL), S(CENSUS_ARRIVAL),
                                            &none),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_census_forecast(ds, S("20-04-2024"), 7, LEVELS, 2, S(CENSUS_MODEL), S(CENSUS_ARRIVAL),
                                            &none),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_census_forecast(ds, S("2024-04-20"), 7, LEVELS, 2, S(CENSUS_MODEL), S("{\"kind\": 3}"),
                                            &none),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_census_forecast(ds, S("2024-04-20"), 7, NULL, 2, S(CENSUS_MODEL), S(CENSUS_ARRIVAL), &none),
             HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_dataset_census_forecast(ds, S("1990-01-01"), 7, LEVELS, 2, S(CENSUS_MODEL), S(CENSUS_ARRIVAL),
                                            &none),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK(none == NULL);
  CHECK_OK(hutano_census_free(c));
  CHECK_CODE(hutano_census_free(c), HUTANO_RESULT_INVALID_HANDLE);
  CHECK_CODE(hutano_census_mean(c, v, 7, &n), HUTANO_RESULT_INVALID_HANDLE);
  CHECK_OK(hutano_census_free(NULL));
}

static void test_census_from_stays(void) {
  /* Two admissions a day at 10:00, each staying three nights, 2024-01-01 on
   * (the example of hutano-forecast's census_from_stays): 6 in hospital. */
  enum { N = 120 };
  int64_t admit[N], discharge[N];
  double mean[7], level = 80.0;
  size_t i, n = 0;
  hutano_census *c = NULL;
  for (i = 0; i < N; i++) {
    admit[i] = (19723 + (int64_t)(i / 2)) * 86400 + 10 * 3600;
    discharge[i] = admit[i] + 3 * 86400;
  }
  discharge[N - 1] = INT64_MIN; /* still in hospital */
  CHECK_OK(hutano_census_from_stays(admit, N, discharge, N, S("2024-02-15"), 7, &level, 1, S(CENSUS_MODEL),
                                    S(CENSUS_ARRIVAL), &c));
  CHECK_OK(hutano_census_mean(c, mean, 7, &n));
  CHECK(n == 7 && fabs(mean[0] - 6.0) < 1e-9);
  CHECK_OK(hutano_census_free(c));
  c = NULL;
  CHECK_CODE(hutano_census_from_stays(admit, N, discharge, N - 1, S("2024-02-15"), 7, &level, 1, S(CENSUS_MODEL),
                                      S(CENSUS_ARRIVAL), &c),
             HUTANO_RESULT_LENGTH_MISMATCH);
  CHECK_CODE(hutano_census_from_stays(NULL, N, discharge, N, S("2024-02-15"), 7, &level, 1, S(CENSUS_MODEL),
                                      S(CENSUS_ARRIVAL), &c),
             HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_census_from_stays(NULL, 0, NULL, 0, S("2024-02-15"), 7, &level, 1, S(CENSUS_MODEL),
                                      S(CENSUS_ARRIVAL), &c),
             HUTANO_RESULT_INVALID_PARAMETER);
  discharge[3] = admit[3] - 3600; /* discharge before admission */
  CHECK_CODE(hutano_census_from_stays(admit, N, discharge, N, S("2024-02-15"), 7, &level, 1, S(CENSUS_MODEL),
                                      S(CENSUS_ARRIVAL), &c),
             HUTANO_RESULT_INVALID_PARAMETER);
  discharge[3] = INT64_MAX; /* out of range */
  CHECK_CODE(hutano_census_from_stays(admit, N, discharge, N, S("2024-02-15"), 7, &level, 1, S(CENSUS_MODEL),
                                      S(CENSUS_ARRIVAL), &c),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_census_from_stays(admit, N, discharge, N, S("2024-02-15"), 7, &level, 1, S(CENSUS_MODEL),
                                      S(CENSUS_ARRIVAL), NULL),
             HUTANO_RESULT_NULL_PARAMETER);
  CHECK(c == NULL);
}

/* Read-only calls on one shared handle from several threads; each thread
 * has its own error detail. */
struct shared_fit {
  const hutano_fitted *fitted;
  int failures;
  char detail[64];
};

static void *predict_in_thread(void *arg) {
  struct shared_fit *job = arg;
  int k;
  size_t n = 0;
  for (k = 0; k < 20; k++) {
    hutano_forecast *f = NULL;
    if (hutano_fitted_predict(job->fitted, 7, LEVELS, 2, &f) != HUTANO_RESULT_OK ||
        hutano_forecast_free(f) != HUTANO_RESULT_OK) {
      job->failures++;
    }
  }
  /* A failure on this thread sets this thread's detail only. */
  if (hutano_fitted_predict(job->fitted, 0, LEVELS, 2, NULL) != HUTANO_RESULT_NULL_PARAMETER) {
    job->failures++;
  }
  hutano_last_error_detail(job->detail, sizeof job->detail, &n);
  return NULL;
}

static void test_threads(void) {
  enum { THREADS = 4 };
  pthread_t threads[THREADS];
  struct shared_fit jobs[THREADS];
  hutano_panel *p = NULL;
  hutano_forecaster *fc = NULL;
  hutano_fitted *fitted = NULL;
  int64_t ds[30];
  double y[30];
  char detail[64];
  size_t n = 0;
  int i;
  for (i = 0; i < 30; i++) {
    ds[i] = (int64_t)i * 86400;
    y[i] = (double)(i % 7);
  }
  CHECK_OK(hutano_panel_new(HUTANO_FREQ_DAILY, HUTANO_FILL_ERROR, &p));
  CHECK_OK(hutano_panel_add_series(p, S("ward"), ds, 30, y, 30));
  CHECK_OK(hutano_forecaster_new(S(MODELS), true, &fc));
  CHECK_OK(hutano_forecaster_fit(fc, p, &fitted));
  CHECK_CODE(hutano_panel_new(99, 0, &p), HUTANO_RESULT_INVALID_PARAMETER); /* the main thread's detail */
  for (i = 0; i < THREADS; i++) {
    jobs[i].fitted = fitted;
    jobs[i].failures = 0;
    jobs[i].detail[0] = '\0';
    CHECK(pthread_create(&threads[i], NULL, predict_in_thread, &jobs[i]) == 0);
  }
  for (i = 0; i < THREADS; i++) {
    CHECK(pthread_join(threads[i], NULL) == 0);
    CHECK(jobs[i].failures == 0);
    CHECK(strcmp(jobs[i].detail, "out is NULL") == 0);
  }
  CHECK_OK(hutano_last_error_detail(detail, sizeof detail, &n));
  CHECK(strcmp(detail, "freq 99 is not a HUTANO_FREQ_* value") == 0);
  CHECK_OK(hutano_fitted_free(fitted));
  CHECK_OK(hutano_forecaster_free(fc));
  CHECK_OK(hutano_panel_free(p));
}

static void test_foreign_pointers(void) {
  /* Pointers hutano did not make are refused before any memory is touched. */
  int local = 0;
  size_t n = 0;
  hutano_dataset *fake = (hutano_dataset *)(void *)&local;
  CHECK_CODE(hutano_dataset_encounters(fake, &n), HUTANO_RESULT_INVALID_HANDLE);
  CHECK_CODE(hutano_dataset_free(fake), HUTANO_RESULT_INVALID_HANDLE);
  CHECK(local == 0);
}

int main(int argc, char **argv) {
  char path[1100];
  hutano_dataset *ds;
  if (argc != 4) {
    fprintf(stderr, "usage: %s DATA_DIR EXPECTED_TXT XLSX_FIXTURE\n", argv[0]);
    return 2;
  }
  snprintf(path, sizeof path, "%s/site.json", argv[1]);
  site_json = read_file(path, NULL);
  snprintf(path, sizeof path, "%s/site_xlsx.json", argv[1]);
  site_xlsx_json = read_file(path, NULL);
  snprintf(csv_path, sizeof csv_path, "%s/encounters.csv", argv[1]);
  expected_text = read_file(argv[2], NULL);
  xlsx_path = argv[3];

  test_version_and_messages();
  test_load_report();
  test_load_errors();
  ds = load_fixture();
  test_kpi(ds);
  test_panel_errors();
  test_forecast(ds);
  test_resources(ds);
  test_census_from_stays();
  test_threads();
  test_foreign_pointers();
  CHECK_OK(hutano_dataset_free(ds));

  free(expected_text);
  free(site_json);
  free(site_xlsx_json);
  return harness_report();
}
