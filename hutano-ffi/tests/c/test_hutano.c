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
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

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
/* Alerts and plans: the India preset (seed 7, 30 days), as in tests/expected.rs. */
static const char ALERTS_START[] = "2024-01-15";
static const char ALERTS_END[] = "2024-01-22";
static const char PLAN_START[] = "2024-01-20";
/* The unit census (general beds of the generated network), its staffing,
 * the medicine plan and the monthly report (tests/expected.rs). */
static const char UNIT_JSON[] = "{\"kind\": \"bed_type\", \"bed_type\": \"general\"}";
static const char STAFF_SETTINGS[] = "{\"ward\": \"general\", \"ward_type\": \"ward\", \"level\": 80}";
static const char REPORT_MONTH[] = "2024-01-01";
static const char REPORT_CONFIG[] = "{\"forecast\": false, \"warmup_days\": 0}";
enum { GEN_SEED = 7, GEN_DAYS = 30, BED_DAYS = 2, STAFF_DAYS = 1 };
/* TRANSFER_JSON of tests/expected.rs with `%u` patients (4: feasible, 7: not). */
static const char TRANSFER_FMT[] =
    "{\"start\": \"2024-05-03\", \"days\": 1, \"hospitals\": [{\"code\": \"A\", \"location\": [-17.8, 31.0]}, "
    "{\"code\": \"B\", \"location\": [-18.9, 32.6]}], \"pools\": [{\"ward\": \"A-ICU\", \"hospital\": 0, "
    "\"service\": \"ICU\", \"bed_type\": \"icu\", \"beds\": [2]}, {\"ward\": \"B-ICU\", \"hospital\": 1, "
    "\"service\": \"ICU\", \"bed_type\": \"icu\", \"beds\": [3]}], \"demand\": [{\"day\": 0, \"hospital\": 0, "
    "\"service\": \"ICU\", \"bed_type\": \"icu\", \"patients\": %u}], \"costs\": {\"transfer_per_km\": 0.25}, "
    "\"allow_unmet\": false}";

/* The regressor check of tests/expected.rs: two daily series ("a", "b") of
 * REG_DAYS values from 2024-01-01, with a planned-admissions regressor known
 * REG_H days ahead. */
static const char REG_MODELS[] =
    "[[\"gb\", {\"model\": \"boosted\", \"n_estimators\": 50}], "
    "[\"rf\", {\"model\": \"forest\", \"n_estimators\": 20}]]";
/* An ensemble of two models that take regressors. */
static const char ENSEMBLE_REG_MODELS[] =
    "[[\"ens\", {\"model\": \"ensemble\", \"validation_horizon\": 7, \"members\": ["
    "{\"name\": \"glm\", \"spec\": {\"model\": \"glm\"}}, "
    "{\"name\": \"prophet\", \"spec\": {\"model\": \"prophet\"}}]}]]";
enum { REG_DAYS = 90, REG_H = 14 };
static const int64_t REG_START = 1704067200; /* 2024-01-01 */
static const char *const REG_IDS[2] = {"a", "b"};

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

static void test_calendar(void) {
  hutano_table *t = NULL;
  size_t rows = 0, cols = 0, n = 0;
  int64_t days[8];
  char buf[128];
  /* Christmas 2022 fell on a Sunday: observed on Tuesday 27 (Monday 26 is Boxing Day). */
  CHECK_OK(hutano_calendar_days(S("{\"country\": \"zimbabwe\"}"), S("2022-12-20"), S("2022-12-28"), &t));
  CHECK_OK(hutano_table_shape(t, &rows, &cols));
  CHECK(rows == 4 && cols == 2);
  CHECK_OK(hutano_table_column_i64(t, 0, days, 8, &n));
  CHECK(n == 4 && days[0] == 19348 && days[3] == 19353); /* 2022-12-22 (Unity Day) .. 2022-12-27 */
  CHECK_OK(hutano_table_cell_text(t, 1, 3, buf, sizeof buf, &n));
  CHECK(strcmp(buf, "Christmas Day (observed)") == 0);
  CHECK_OK(hutano_table_free(t));
  /* The caller's events alone: one row per day of [start, end). */
  t = NULL;
  CHECK_OK(hutano_calendar_days(
      S("{\"country\": null, \"events\": [{\"name\": \"strike\", \"start\": \"2024-03-04\", \"end\": \"2024-03-06\"}]}"),
      S("2024-03-01"), S("2024-04-01"), &t));
  CHECK_OK(hutano_table_shape(t, &rows, &cols));
  CHECK(rows == 2);
  CHECK_OK(hutano_table_cell_text(t, 1, 1, buf, sizeof buf, &n));
  CHECK(strcmp(buf, "strike") == 0);
  CHECK_OK(hutano_table_free(t));
  t = NULL;
  CHECK_CODE(hutano_calendar_days(S("{\"country\": \"atlantis\"}"), S("2024-01-01"), S("2024-02-01"), &t),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_calendar_days(S("{\"country\": \"india\"}"), S("2024-02-01"), S("2024-01-01"), &t),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_OK(hutano_last_error_detail(buf, sizeof buf, &n));
  CHECK(strcmp(buf, "end 2024-01-01 is before start 2024-02-01") == 0);
  CHECK_CODE(hutano_calendar_days(S("{\"country\": \"india\"}"), S("1/2/2024"), S("2024-02-01"), &t),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_calendar_days(S("{\"country\": \"india\"}"), S("2024-01-01"), S("2024-02-01"), NULL),
             HUTANO_RESULT_NULL_PARAMETER);
  CHECK(t == NULL);
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
  /* An ensemble's intervals: averaged, calibrated or pooled, nothing else. */
  CHECK_CODE(hutano_forecaster_new(S("[{\"model\": \"ensemble\", \"members\": [{\"name\": \"n\", \"spec\": "
                                     "{\"model\": \"naive\"}}], \"intervals\": \"wide\"}]"),
                                   true, &bad),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_OK(hutano_last_error_detail(buf, sizeof buf, &n));
  CHECK(strstr(buf, "unknown variant `wide`") != NULL);
  CHECK_OK(hutano_forecaster_new(S("[{\"model\": \"ensemble\", \"members\": [{\"name\": \"n\", \"spec\": "
                                   "{\"model\": \"naive\"}}], \"intervals\": \"pooled\"}]"),
                                 true, &bad));
  CHECK_OK(hutano_forecaster_free(bad));
  bad = NULL;
  /* A cleaned model: a positive threshold, around a model fitted series by series. */
  CHECK_CODE(hutano_forecaster_new(S("[{\"model\": \"cleaned\", \"inner\": {\"model\": \"naive\"}, "
                                     "\"threshold\": -1}]"),
                                   true, &bad),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_OK(hutano_last_error_detail(buf, sizeof buf, &n));
  CHECK(strstr(buf, "threshold") != NULL);
  CHECK_OK(hutano_forecaster_new(S("[{\"model\": \"cleaned\", \"inner\": {\"model\": \"seasonal_naive\", "
                                   "\"season_length\": 7}}]"),
                                 true, &bad));
  CHECK_OK(hutano_forecaster_free(bad));
  bad = NULL;
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
  /* In-sample fitted values: a row per observation, the observations as actuals. */
  {
    hutano_forecast *ins = NULL;
    double fv[242], obs[242];
    int64_t ins_ds[242];
    CHECK_CODE(hutano_fitted_in_sample(NULL, &ins), HUTANO_RESULT_NULL_PARAMETER);
    CHECK_CODE(hutano_fitted_in_sample(fitted, NULL), HUTANO_RESULT_NULL_PARAMETER);
    CHECK_OK(hutano_fitted_in_sample(fitted, &ins));
    CHECK_OK(hutano_forecast_shape(ins, &rows, &cols));
    CHECK(rows == 242 && cols == 2);
    CHECK_OK(hutano_forecast_column_index(ins, S("sn"), &j));
    CHECK_OK(hutano_forecast_values(ins, j, fv, 242, &n));
    CHECK(n == 242);
    CHECK_OK(hutano_forecast_actual(ins, obs, 242, &n));
    CHECK(isnan(fv[0]) && isnan(fv[6]) && fv[7] == obs[0] && fv[120] == obs[113] && isnan(fv[121]));
    CHECK_OK(hutano_forecast_column_index(ins, S("Naive"), &j));
    CHECK_OK(hutano_forecast_values(ins, j, fv, 242, &n));
    CHECK(isnan(fv[0]) && fv[1] == obs[0] && fv[241] == obs[240]);
    CHECK_OK(hutano_forecast_ds(ins, ins_ds, 242, &n));
    CHECK(ins_ds[0] == 19723 * (int64_t)86400 && ins_ds[241] == (19723 + 120) * (int64_t)86400);
    CHECK_OK(hutano_forecast_free(ins));
  }
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
  /* A model that needs more history than the others names itself. */
  {
    hutano_forecaster *two = NULL;
    hutano_fitted *none2 = NULL;
    char detail[256];
    CHECK_OK(hutano_forecaster_new(S("[{\"model\": \"naive\"}, {\"model\": \"boosted\", \"n_estimators\": 5}]"),
                                   true, &two));
    CHECK_CODE(hutano_forecaster_fit(two, short_panel, &none2), HUTANO_RESULT_SERIES_TOO_SHORT);
    CHECK(none2 == NULL);
    CHECK_OK(hutano_last_error_detail(detail, sizeof detail, &n));
    CHECK(strncmp(detail, "model \"Boosted\": series \"tiny\" has 3 observations", 49) == 0);
    CHECK_OK(hutano_forecaster_free(two));
  }
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

/* The whole string output of a call made twice: once for the size, once
 * into a buffer of that size (the caller frees it). */
#define FETCH_TEXT(text, call_with_buf)                                        \
  do {                                                                         \
    size_t fetch_n_ = 0, fetch_m_ = 0;                                         \
    char *buf = NULL;                                                          \
    size_t len = 0;                                                            \
    size_t *out_n = &fetch_n_;                                                 \
    CHECK_CODE(call_with_buf, HUTANO_RESULT_BUFFER_TOO_SMALL);                 \
    len = fetch_n_ + 1;                                                        \
    buf = malloc(len);                                                         \
    out_n = &fetch_m_;                                                         \
    CHECK_OK(call_with_buf);                                                   \
    CHECK(fetch_m_ == fetch_n_ && strlen(buf) == fetch_m_);                    \
    (text) = buf;                                                              \
  } while (0)

/* The value of `"key":` in a JSON object written by hutano. */
/* Staff per day, shift and role from a census: the Rust API's numbers, the
 * columns of Python's frame, defaults and bad settings. */
static void test_required_staff(const hutano_census *c, const hutano_dataset *fixture) {
  static const char *const columns[7] = {"ds", "shift", "role", "census", "census_upper", "staff", "staff_upper"};
  hutano_table *t = NULL, *none = NULL;
  hutano_census *plain = NULL;
  hutano_column_type type;
  size_t rows = 0, cols = 0, n = 0, j;
  double staff[32], mean[7];
  int64_t ds[32], ints[32];
  char buf[64];
  CHECK_OK(hutano_census_required_staff(c, S(STAFF_SETTINGS), &t));
  CHECK_OK(hutano_table_shape(t, &rows, &cols));
  CHECK(rows == 21 && cols == 7);
  for (j = 0; j < 7 && j < cols; j++) {
    CHECK_OK(hutano_table_column_name(t, j, buf, sizeof buf, &n));
    CHECK(strcmp(buf, columns[j]) == 0);
  }
  CHECK_OK(hutano_table_column_f64(t, 5, staff, 32, &n));
  check_expected("unit_staff", staff, n);
  CHECK_OK(hutano_table_column_f64(t, 6, staff, 32, &n));
  check_expected("unit_staff_upper", staff, n);
  CHECK_OK(hutano_table_column_i64(t, 6, ints, 32, &n));
  CHECK(n == 21 && (double)ints[0] == staff[0] && (double)ints[20] == staff[20]);
  CHECK_OK(hutano_table_column_type(t, 0, &type));
  CHECK(type == HUTANO_COLUMN_TYPE_DATE);
  CHECK_OK(hutano_table_column_type(t, 6, &type));
  CHECK(type == HUTANO_COLUMN_TYPE_INT);
  CHECK_OK(hutano_table_column_i64(t, 0, ds, 32, &n));
  CHECK(n == 21 && ds[0] == 19743 && ds[2] == 19743 && ds[3] == 19744 && ds[20] == 19749);
  CHECK_OK(hutano_table_cell_text(t, 1, 0, buf, sizeof buf, &n));
  CHECK(strcmp(buf, "day") == 0);
  CHECK_OK(hutano_table_cell_text(t, 1, 2, buf, sizeof buf, &n));
  CHECK(strcmp(buf, "night") == 0);
  CHECK_OK(hutano_table_cell_text(t, 2, 0, buf, sizeof buf, &n));
  CHECK(strcmp(buf, "nurse") == 0);
  /* The census column is the mean census, the same on each shift of a day. */
  CHECK_OK(hutano_census_mean(c, mean, 7, &n));
  CHECK_OK(hutano_table_column_f64(t, 3, staff, 32, &n));
  CHECK(n == 21 && staff[0] == mean[0] && staff[2] == mean[0] && staff[20] == mean[6]);
  CHECK_OK(hutano_table_free(t));

  /* Defaults (a general ward, three shifts, 80 %), one shift, an ICU. */
  CHECK_OK(hutano_census_required_staff(c, NULL, 0, &t));
  CHECK_OK(hutano_table_shape(t, &rows, &cols));
  CHECK(rows == 21 && cols == 7);
  CHECK_OK(hutano_table_column_f64(t, 5, staff, 32, &n));
  check_expected("unit_staff", staff, n);
  CHECK_OK(hutano_table_free(t));
  CHECK_OK(hutano_census_required_staff(c, S("{\"shifts\": [\"day\"], \"ward_type\": \"icu\", \"level\": 95}"), &t));
  CHECK_OK(hutano_table_shape(t, &rows, &cols));
  CHECK(rows == 7);
  CHECK_OK(hutano_table_column_i64(t, 5, ints, 32, &n));
  CHECK(n == 7 && (double)ints[0] == ceil(mean[0] / 2.0)); /* NABH ICU 1:2 */
  CHECK_OK(hutano_table_free(t));
  CHECK_OK(hutano_census_required_staff(
      c,
      S("{\"ratios\": {\"rules\": [{\"ward_type\": \"ward\", \"role\": \"nurse\", \"shift\": null, "
        "\"ratio\": {\"staff\": 1, \"patients\": 4}, \"minimum\": 1}]}, \"shifts\": [\"night\"]}"),
      &t));
  CHECK_OK(hutano_table_column_i64(t, 5, ints, 32, &n));
  CHECK(n == 7 && (double)ints[0] == ceil(mean[0] / 4.0));
  CHECK_OK(hutano_table_free(t));

  /* Any census can be staffed: the whole data set's. */
  CHECK_OK(hutano_dataset_census_forecast(fixture, S("2024-04-20"), 7, LEVELS, 2, S(CENSUS_MODEL), S(CENSUS_ARRIVAL),
                                          &plain));
  CHECK_OK(hutano_census_required_staff(plain, S("{}"), &t));
  CHECK_OK(hutano_table_shape(t, &rows, &cols));
  CHECK(rows == 21);
  CHECK_OK(hutano_table_free(t));

  /* Bad settings: no table. */
  CHECK_CODE(hutano_census_required_staff(c, S("{\"level\": 50}"), &none), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_census_required_staff(c, S("{\"ward_type\": \"moon\"}"), &none), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_census_required_staff(c, S("{\"shift\": [\"day\"]}"), &none), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_census_required_staff(c, S("{\"shifts\": []}"), &none), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_census_required_staff(c, S("{\"shifts\": [\"lunch\"]}"), &none), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_census_required_staff(c, S("{\"ward_type\": \"icu\", \"ratios\": {\"rules\": []}}"), &none),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_census_required_staff(c, S("{\"level\": "), &none), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_census_required_staff(c, S("[1]"), &none), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_census_required_staff(c, NULL, 3, &none), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_census_required_staff(NULL, S("{}"), &none), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_census_required_staff(c, S("{}"), NULL), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_census_required_staff(c, S("{\"ward\": \"\xc3\"}"), &none), HUTANO_RESULT_INVALID_UTF8);
  CHECK(none == NULL);
  CHECK_OK(hutano_census_free(plain));
  CHECK_CODE(hutano_census_required_staff(plain, S("{}"), &none), HUTANO_RESULT_INVALID_HANDLE);
  CHECK(none == NULL);
}

/* A unit's census on the generated network: values equal the Rust API's,
 * its capacity and the risk against it; the plain census has no capacity. */
static void test_unit_census(const hutano_dataset *gen, const hutano_dataset *fixture) {
  hutano_census *c = NULL, *plain = NULL, *none = NULL, *vent = NULL;
  double v[7], cap[7], prob[7], lo[7], hi[7], untouched[7];
  int64_t days[7];
  size_t n = 0, i;
  CHECK_OK(hutano_dataset_unit_census_forecast(gen, S(PLAN_START), 7, LEVELS, 2, S(CENSUS_MODEL), S(CENSUS_ARRIVAL),
                                                S(UNIT_JSON), &c));
  CHECK_OK(hutano_census_mean(c, v, 7, &n));
  check_expected("unit_census_mean", v, n);
  CHECK_OK(hutano_census_capacity(c, cap, 7, &n));
  check_expected("unit_census_capacity", cap, n);
  CHECK_OK(hutano_census_prob_above_capacity(c, prob, 7, &n));
  check_expected("unit_census_prob", prob, n);
  /* The capacity is the same every day here, so the fixed-capacity call agrees. */
  CHECK_OK(hutano_census_prob_above(c, cap[0], v, 7, &n));
  check_expected("unit_census_prob", v, n);
  CHECK_OK(hutano_census_days(c, days, 7, &n));
  CHECK(n == 7 && days[0] == 19743 && days[6] == 19749); /* 2024-01-21 .. 01-27 */
  CHECK_OK(hutano_census_interval(c, 95.0, lo, hi, 7, &n));
  CHECK(n == 7 && lo[0] <= hi[0]);
  /* Size query, too small a buffer (nothing written), NULLs. */
  CHECK_CODE(hutano_census_capacity(c, NULL, 0, &n), HUTANO_RESULT_BUFFER_TOO_SMALL);
  CHECK(n == 7);
  for (i = 0; i < 7; i++) {
    untouched[i] = -1.0;
  }
  CHECK_CODE(hutano_census_capacity(c, untouched, 6, &n), HUTANO_RESULT_BUFFER_TOO_SMALL);
  CHECK(n == 7 && untouched[0] == -1.0 && untouched[5] == -1.0);
  CHECK_CODE(hutano_census_prob_above_capacity(c, untouched, 6, &n), HUTANO_RESULT_BUFFER_TOO_SMALL);
  CHECK(untouched[0] == -1.0);
  CHECK_CODE(hutano_census_capacity(c, cap, 7, NULL), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_census_capacity(NULL, cap, 7, &n), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_census_prob_above_capacity(NULL, prob, 7, &n), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_census_prob_above_capacity(c, NULL, 7, &n), HUTANO_RESULT_NULL_PARAMETER);

  /* Ventilators with a stated count: that count every day. */
  CHECK_OK(hutano_dataset_unit_census_forecast(gen, S(PLAN_START), 7, LEVELS, 1, S(CENSUS_MODEL), S(CENSUS_ARRIVAL),
                                                S("{\"kind\": \"ventilators\", \"count\": 12}"), &vent));
  CHECK_OK(hutano_census_capacity(vent, cap, 7, &n));
  CHECK(n == 7 && cap[0] == 12.0 && cap[6] == 12.0);
  CHECK_OK(hutano_census_free(vent));
  vent = NULL;
  CHECK_OK(hutano_dataset_unit_census_forecast(gen, S(PLAN_START), 7, LEVELS, 1, S(CENSUS_MODEL), S(CENSUS_ARRIVAL),
                                                S("{\"kind\": \"branch\", \"code\": \"BLR\"}"), &vent));
  CHECK_OK(hutano_census_capacity(vent, cap, 7, &n));
  CHECK(n == 7 && cap[0] > 0.0);
  CHECK_OK(hutano_census_free(vent));

  /* A census that is not a unit's has no capacity; nothing is written. */
  CHECK_OK(hutano_dataset_census_forecast(fixture, S("2024-04-20"), 7, LEVELS, 2, S(CENSUS_MODEL), S(CENSUS_ARRIVAL),
                                          &plain));
  CHECK_CODE(hutano_census_capacity(plain, untouched, 7, &n), HUTANO_RESULT_NOT_FOUND);
  CHECK_CODE(hutano_census_prob_above_capacity(plain, untouched, 7, &n), HUTANO_RESULT_NOT_FOUND);
  CHECK(untouched[0] == -1.0 && untouched[6] == -1.0);
  CHECK_OK(hutano_census_free(plain));

  /* Bad arguments: no census is made. */
  CHECK_CODE(hutano_dataset_unit_census_forecast(NULL, S(PLAN_START), 7, LEVELS, 2, S(CENSUS_MODEL),
                                                  S(CENSUS_ARRIVAL), S(UNIT_JSON), &none),
             HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_dataset_unit_census_forecast(gen, S(PLAN_START), 7, LEVELS, 2, S(CENSUS_MODEL), S(CENSUS_ARRIVAL),
                                                  NULL, 5, &none),
             HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_dataset_unit_census_forecast(gen, S(PLAN_START), 7, LEVELS, 2, S(CENSUS_MODEL), S(CENSUS_ARRIVAL),
                                                  S(UNIT_JSON), NULL),
             HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_dataset_unit_census_forecast(gen, S(PLAN_START), 7, LEVELS, 2, S(CENSUS_MODEL), S(CENSUS_ARRIVAL),
                                                  S("{\"kind\": \"moon\"}"), &none),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_unit_census_forecast(gen, S(PLAN_START), 7, LEVELS, 2, S(CENSUS_MODEL), S(CENSUS_ARRIVAL),
                                                  S("{\"kind\": \"ward\""), &none),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_unit_census_forecast(gen, S(PLAN_START), 7, LEVELS, 2, S(CENSUS_MODEL), S(CENSUS_ARRIVAL),
                                                  S("{\"kind\": \"ward\", \"code\": \"NOPE\"}"), &none),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_unit_census_forecast(gen, S("2024-13-01"), 7, LEVELS, 2, S(CENSUS_MODEL),
                                                  S(CENSUS_ARRIVAL), S(UNIT_JSON), &none),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_unit_census_forecast(gen, S("1990-01-01"), 7, LEVELS, 2, S(CENSUS_MODEL),
                                                  S(CENSUS_ARRIVAL), S(UNIT_JSON), &none),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_unit_census_forecast(gen, S(PLAN_START), 7, LEVELS, 2, S(CENSUS_MODEL), S("{}"),
                                                  S(UNIT_JSON), &none),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_unit_census_forecast(gen, S(PLAN_START), 7, LEVELS, 2, S(CENSUS_MODEL), S(CENSUS_ARRIVAL),
                                                  S("{\"kind\": \"branch\", \"code\": \"\xff\"}"), &none),
             HUTANO_RESULT_INVALID_UTF8);
  CHECK(none == NULL);
  CHECK_CODE(hutano_dataset_unit_census_forecast((const hutano_dataset *)(const void *)c, S(PLAN_START), 7, LEVELS,
                                                  2, S(CENSUS_MODEL), S(CENSUS_ARRIVAL), S(UNIT_JSON), &none),
             HUTANO_RESULT_INVALID_HANDLE);
  CHECK(none == NULL);
  test_required_staff(c, fixture);
  CHECK_OK(hutano_census_free(c));
  CHECK_CODE(hutano_census_capacity(c, cap, 7, &n), HUTANO_RESULT_INVALID_HANDLE);
}

/* The medicine plan of the generated network: the Rust API's reorder points
 * and orders, Python's columns, settings and bad settings. */
static void test_medicine_plan(const hutano_dataset *gen) {
  static const char *const columns[22] = {
      "medicine", "name", "unit", "branch", "demand_pattern", "adi", "on_hand", "inventory_position",
      "mean_daily_demand", "lead_time_demand", "safety_stock", "reorder_point", "order_up_to", "eoq", "order_now",
      "order_quantity", "stock_out_date", "stock_out_probability", "at_risk_units", "at_risk_value",
      "expired_units", "error"};
  hutano_table *t = NULL, *none = NULL;
  size_t rows = 0, cols = 0, n = 0, j, k = 0;
  double v[512], eoq[512], want[512];
  int64_t now[512];
  char buf[256];
  size_t meds = expected_values("medicine_reorder_point", want, 512);
  CHECK(meds > 0);
  CHECK_OK(hutano_dataset_medicine_plan(gen, S(PLAN_START), NULL, 0, &t));
  CHECK_OK(hutano_table_shape(t, &rows, &cols));
  CHECK(rows == meds && cols == 22);
  for (j = 0; j < 22 && j < cols; j++) {
    CHECK_OK(hutano_table_column_name(t, j, buf, sizeof buf, &n));
    CHECK(strcmp(buf, columns[j]) == 0);
  }
  CHECK_OK(hutano_table_column_index(t, S("reorder_point"), &k));
  CHECK(k == 11);
  CHECK_OK(hutano_table_column_f64(t, k, v, 512, &n));
  check_expected("medicine_reorder_point", v, n);
  CHECK_OK(hutano_table_column_i64(t, 14, now, 512, &n));
  for (j = 0; j < n; j++) {
    v[j] = (double)now[j];
  }
  check_expected("medicine_order_now", v, n);
  CHECK_OK(hutano_table_column_f64(t, 13, eoq, 512, &n));
  CHECK(n == meds && isnan(eoq[0])); /* no costs: no EOQ */
  CHECK_OK(hutano_table_cell_text(t, 21, 0, buf, sizeof buf, &n));
  CHECK(n == 0); /* no error */
  CHECK_OK(hutano_table_cell_text(t, 3, 0, buf, sizeof buf, &n));
  CHECK(strcmp(buf, "BLR") == 0 || strcmp(buf, "MAA") == 0 || strcmp(buf, "HYD") == 0 || strcmp(buf, "PNQ") == 0);
  CHECK_OK(hutano_table_cell_text(t, 16, 0, buf, sizeof buf, &n));
  CHECK(n == 0 || (n == 10 && buf[4] == '-'));
  CHECK_OK(hutano_table_free(t));

  /* Costs give an EOQ; a longer lead time a higher reorder point. */
  CHECK_OK(hutano_dataset_medicine_plan(
      gen, S(PLAN_START),
      S("{\"ordering_cost\": 500, \"holding_cost_per_unit_year\": 2, \"lead_time_days\": 14, \"horizon\": 28, "
        "\"level\": [90], \"model\": {\"model\": \"croston\", \"alpha\": 0.1, \"variant\": \"sba\"}}"),
      &t));
  CHECK_OK(hutano_table_shape(t, &rows, &cols));
  CHECK(rows == meds);
  CHECK_OK(hutano_table_column_f64(t, 13, eoq, 512, &n));
  for (j = 0, k = 0; j < n; j++) {
    k += eoq[j] > 0.0;
  }
  CHECK(n == meds && k > 0);
  CHECK_OK(hutano_table_free(t));
  /* A horizon shorter than lead time and review: every row kept, with its error. */
  CHECK_OK(hutano_dataset_medicine_plan(gen, S(PLAN_START), S("{\"horizon\": 7}"), &t));
  CHECK_OK(hutano_table_shape(t, &rows, &cols));
  CHECK(rows == meds);
  CHECK_OK(hutano_table_cell_text(t, 21, 0, buf, sizeof buf, &n));
  CHECK(strstr(buf, "needed") != NULL);
  CHECK_OK(hutano_table_column_f64(t, 11, v, 512, &n));
  CHECK(n == meds && isnan(v[0]));
  CHECK_OK(hutano_table_cell_text(t, 0, 0, buf, sizeof buf, &n));
  CHECK(n > 0);
  CHECK_OK(hutano_table_free(t));

  /* Bad arguments: no table. */
  CHECK_CODE(hutano_dataset_medicine_plan(gen, S(PLAN_START), S("{\"service_level\": 1.5}"), &none),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_medicine_plan(gen, S(PLAN_START), S("{\"lead_time_days\": 0}"), &none),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_medicine_plan(gen, S(PLAN_START), S("{\"lead_time\": 7}"), &none),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_medicine_plan(gen, S(PLAN_START), S("{\"model\": {\"model\": \"moon\"}}"), &none),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_medicine_plan(gen, S(PLAN_START), S("{\"horizon\": "), &none),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_medicine_plan(gen, S("2024/01/20"), NULL, 0, &none), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_medicine_plan(gen, S("\xff"), NULL, 0, &none), HUTANO_RESULT_INVALID_UTF8);
  CHECK_CODE(hutano_dataset_medicine_plan(gen, NULL, 10, NULL, 0, &none), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_dataset_medicine_plan(NULL, S(PLAN_START), NULL, 0, &none), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_dataset_medicine_plan(gen, S(PLAN_START), NULL, 0, NULL), HUTANO_RESULT_NULL_PARAMETER);
  CHECK(none == NULL);
}

/* The monthly report: a size query, then HTML, CSV and JSON; bad month,
 * format and config; nothing written on an error. */
static void test_monthly_report(const hutano_dataset *gen) {
  double want = 0.0;
  size_t n = 0, m = 0;
  char small[16];
  char *buf;
  CHECK(expected_values("report_csv_bytes", &want, 1) == 1);
  CHECK_CODE(hutano_dataset_monthly_report(gen, S(REPORT_MONTH), S(REPORT_CONFIG), S("csv"), NULL, 0, &n),
             HUTANO_RESULT_BUFFER_TOO_SMALL);
  CHECK((double)n == want);
  buf = malloc(n + 1);
  CHECK(buf != NULL);
  if (buf == NULL) {
    return;
  }
  CHECK_OK(hutano_dataset_monthly_report(gen, S(REPORT_MONTH), S(REPORT_CONFIG), S("csv"), buf, n + 1, &m));
  CHECK(m == n && buf[n] == '\0' && strlen(buf) == n && strstr(buf, "section,branch") != NULL);
  free(buf);
  buf = malloc(1 << 20);
  CHECK(buf != NULL);
  if (buf == NULL) {
    return;
  }
  CHECK_OK(hutano_dataset_monthly_report(gen, S("2024-01-17"), S(REPORT_CONFIG), S("html"), buf, 1 << 20, &m));
  CHECK(m > 0 && strncmp(buf, "<!DOCTYPE html>", 15) == 0 && strlen(buf) == m);
  CHECK_OK(hutano_dataset_monthly_report(gen, S(REPORT_MONTH), S(REPORT_CONFIG), S("json"), buf, 1 << 20, &m));
  CHECK(m > 0 && buf[0] == '{' && strlen(buf) == m);
  free(buf);

  /* Errors: nothing written (small keeps its bytes, m its value). */
  memset(small, 'x', sizeof small);
  m = 12345;
  CHECK_CODE(hutano_dataset_monthly_report(gen, S(REPORT_MONTH), S(REPORT_CONFIG), S(""), small, sizeof small, &m),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_monthly_report(gen, S(REPORT_MONTH), S(REPORT_CONFIG), S("pdf"), small, sizeof small, &m),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_monthly_report(gen, S("2024-02-30"), S(REPORT_CONFIG), S("csv"), small, sizeof small, &m),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_monthly_report(gen, S(REPORT_MONTH), S("{\"colour\": 1}"), S("csv"), small, sizeof small,
                                           &m),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_monthly_report(gen, S(REPORT_MONTH), S("{\"forecast\": "), S("csv"), small, sizeof small,
                                           &m),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_monthly_report(gen, S(REPORT_MONTH), S(REPORT_CONFIG), S("\xfe"), small, sizeof small, &m),
             HUTANO_RESULT_INVALID_UTF8);
  CHECK_CODE(hutano_dataset_monthly_report(NULL, S(REPORT_MONTH), S(REPORT_CONFIG), S("csv"), small, sizeof small, &m),
             HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_dataset_monthly_report(gen, S(REPORT_MONTH), S(REPORT_CONFIG), S("csv"), NULL, 16, &m),
             HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_dataset_monthly_report(gen, NULL, 10, S(REPORT_CONFIG), S("csv"), small, sizeof small, &m),
             HUTANO_RESULT_NULL_PARAMETER);
  CHECK(m == 12345 && small[0] == 'x' && small[15] == 'x');
  CHECK_CODE(hutano_dataset_monthly_report(gen, S(REPORT_MONTH), S(REPORT_CONFIG), S("csv"), small, sizeof small, NULL),
             HUTANO_RESULT_NULL_PARAMETER);
  /* Too small: only the length. */
  CHECK_CODE(hutano_dataset_monthly_report(gen, S(REPORT_MONTH), S(REPORT_CONFIG), S("csv"), small, sizeof small, &m),
             HUTANO_RESULT_BUFFER_TOO_SMALL);
  CHECK((double)m == want && small[0] == 'x');
}

static double json_number(const char *json, const char *key) {
  char pattern[64];
  const char *p;
  snprintf(pattern, sizeof pattern, "\"%s\":", key);
  p = strstr(json, pattern);
  return p == NULL ? NAN : strtod(p + strlen(pattern), NULL);
}

static const char *subject_kind_name(hutano_subject_kind kind) {
  switch (kind) {
    case HUTANO_SUBJECT_KIND_NETWORK: return "network";
    case HUTANO_SUBJECT_KIND_BRANCH: return "branch";
    case HUTANO_SUBJECT_KIND_DEPARTMENT: return "department";
    case HUTANO_SUBJECT_KIND_WARD: return "ward";
    case HUTANO_SUBJECT_KIND_MEDICINE: return "medicine";
  }
  return "?";
}

static void test_alerts(const hutano_dataset *gen, const hutano_dataset *fixture) {
  enum { MAX_ALERTS = 256 };
  static const char ONLY_OCCUPANCY[] =
      "{\"occupancy\": {\"warning_pct\": 50, \"clear_below_pct\": 40}, \"occupancy_forecast\": null, \"icu\": null, "
      "\"ventilators\": null, \"low_stock\": null, \"expiry\": null, \"delayed_discharge\": null, \"flow\": null, "
      "\"readmission\": null}";
  hutano_alerts *a = NULL, *none = NULL;
  size_t count = 0, n = 0, i;
  double severity[MAX_ALERTS], started[MAX_ALERTS], ended[MAX_ALERTS], observed[MAX_ALERTS],
      threshold[MAX_ALERTS], c;
  char rules[4096] = "", rule[64], code[64], message[512], evidence[512], prefix[96], tiny[4];
  hutano_severity sev = 0;
  hutano_subject_kind kind = 0;
  int64_t t0 = 0, t1 = 0;
  char *json = NULL;

  /* Default rules (rules_json NULL): the Rust API's alerts, one by one. */
  CHECK_OK(hutano_dataset_alerts(gen, S(ALERTS_START), S(ALERTS_END), NULL, 0, &a));
  CHECK_OK(hutano_alerts_count(a, &count));
  c = (double)count;
  check_expected("alerts_count", &c, 1);
  CHECK(count > 0 && count <= MAX_ALERTS);
  for (i = 0; i < count && i < MAX_ALERTS; i++) {
    CHECK_OK(hutano_alerts_rule(a, i, rule, sizeof rule, &n));
    CHECK(n == strlen(rule) && n > 0);
    if (i > 0) {
      strcat(rules, " ");
    }
    strcat(rules, rule);
    CHECK_OK(hutano_alerts_severity(a, i, &sev));
    CHECK(sev >= HUTANO_SEVERITY_INFO && sev <= HUTANO_SEVERITY_CRITICAL);
    severity[i] = (double)sev;
    CHECK_OK(hutano_alerts_times(a, i, &t0, &t1));
    CHECK(t0 % 86400 == 0 && (t1 == INT64_MIN || t1 > t0)); /* evaluated at midnight */
    started[i] = (double)t0;
    ended[i] = (double)t1;
    CHECK_OK(hutano_alerts_evidence_json(a, i, evidence, sizeof evidence, &n));
    CHECK(strncmp(evidence, "{\"observed\":", 12) == 0);
    observed[i] = json_number(evidence, "observed");
    threshold[i] = json_number(evidence, "threshold");
    /* The message starts with the subject: "branch MAA: ...". */
    CHECK_OK(hutano_alerts_subject_kind(a, i, &kind));
    CHECK_OK(hutano_alerts_subject_code(a, i, code, sizeof code, &n));
    CHECK(n > 0);
    CHECK_OK(hutano_alerts_message(a, i, message, sizeof message, &n));
    snprintf(prefix, sizeof prefix, "%s %s: ", subject_kind_name(kind), code);
    CHECK(strncmp(message, prefix, strlen(prefix)) == 0);
  }
  CHECK(strncmp(expected_line("alerts_rules"), rules, strlen(rules)) == 0);
  check_expected("alerts_severity", severity, count);
  check_expected("alerts_started", started, count);
  check_expected("alerts_ended", ended, count);
  check_expected("alerts_observed", observed, count);
  check_expected("alerts_threshold", threshold, count);
  FETCH_TEXT(json, hutano_alerts_json(a, buf, len, out_n));
  CHECK(strncmp(json, "[{\"rule\":\"", 10) == 0 && strstr(json, "\"evidence\":{\"observed\":") != NULL);
  free(json);

  /* Accessors: bad index, small buffers, NULLs; outputs untouched. */
  n = 99;
  CHECK_CODE(hutano_alerts_rule(a, count, rule, sizeof rule, &n), HUTANO_RESULT_INDEX_OUT_OF_RANGE);
  CHECK(n == 99);
  CHECK_CODE(hutano_alerts_severity(a, count, &sev), HUTANO_RESULT_INDEX_OUT_OF_RANGE);
  CHECK_CODE(hutano_alerts_subject_kind(a, count, &kind), HUTANO_RESULT_INDEX_OUT_OF_RANGE);
  CHECK_CODE(hutano_alerts_subject_code(a, count, code, sizeof code, &n), HUTANO_RESULT_INDEX_OUT_OF_RANGE);
  CHECK_CODE(hutano_alerts_message(a, count, message, sizeof message, &n), HUTANO_RESULT_INDEX_OUT_OF_RANGE);
  CHECK_CODE(hutano_alerts_evidence_json(a, count, evidence, sizeof evidence, &n), HUTANO_RESULT_INDEX_OUT_OF_RANGE);
  t0 = 5;
  t1 = 6;
  CHECK_CODE(hutano_alerts_times(a, count, &t0, &t1), HUTANO_RESULT_INDEX_OUT_OF_RANGE);
  CHECK_CODE(hutano_alerts_times(a, 0, &t0, NULL), HUTANO_RESULT_NULL_PARAMETER);
  CHECK(t0 == 5 && t1 == 6);
  memcpy(tiny, "xyz", 4);
  CHECK_CODE(hutano_alerts_message(a, 0, tiny, sizeof tiny, &n), HUTANO_RESULT_BUFFER_TOO_SMALL);
  CHECK(n > 3 && strcmp(tiny, "xyz") == 0);
  CHECK_CODE(hutano_alerts_rule(a, 0, NULL, 8, &n), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_alerts_rule(a, 0, rule, sizeof rule, NULL), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_alerts_severity(a, 0, NULL), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_alerts_subject_kind(a, 0, NULL), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_alerts_count(a, NULL), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_alerts_count(NULL, &n), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_alerts_json(a, NULL, 4, &n), HUTANO_RESULT_NULL_PARAMETER);
  /* A data set is not alerts. */
  CHECK_CODE(hutano_alerts_count((const hutano_alerts *)(const void *)gen, &n), HUTANO_RESULT_INVALID_HANDLE);

  /* Rules as JSON: one rule, with parameters given in part. */
  CHECK_OK(hutano_dataset_alerts(gen, S(ALERTS_START), S(ALERTS_END), S(ONLY_OCCUPANCY), &none));
  CHECK_OK(hutano_alerts_count(none, &count));
  CHECK(count > 0);
  for (i = 0; i < count; i++) {
    CHECK_OK(hutano_alerts_rule(none, i, rule, sizeof rule, &n));
    CHECK(strcmp(rule, "occupancy") == 0);
  }
  CHECK_OK(hutano_alerts_free(none));
  none = NULL;
  /* "{}" and "" are the defaults too. */
  CHECK_OK(hutano_dataset_alerts(gen, S(ALERTS_START), S(ALERTS_END), S("{}"), &none));
  CHECK_OK(hutano_alerts_count(none, &n));
  CHECK((double)n == c);
  CHECK_OK(hutano_alerts_free(none));
  none = NULL;
  CHECK_OK(hutano_dataset_alerts(gen, S(ALERTS_START), S(ALERTS_END), S(""), &none));
  CHECK_OK(hutano_alerts_free(none));
  none = NULL;
  /* A loaded export without beds or medicines raises nothing. */
  CHECK_OK(hutano_dataset_alerts(fixture, S("2024-03-01"), S("2024-03-15"), NULL, 0, &none));
  CHECK_OK(hutano_alerts_count(none, &n));
  CHECK(n == 0);
  CHECK_CODE(hutano_alerts_rule(none, 0, rule, sizeof rule, &n), HUTANO_RESULT_INDEX_OUT_OF_RANGE);
  CHECK_OK(hutano_alerts_json(none, rule, sizeof rule, &n));
  CHECK(strcmp(rule, "[]") == 0);
  CHECK_OK(hutano_alerts_free(none));
  none = NULL;

  /* Bad input: every error leaves *out alone. */
  CHECK_CODE(hutano_dataset_alerts(gen, S(ALERTS_START), S(ALERTS_END), S("{"), &none),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_alerts(gen, S(ALERTS_START), S(ALERTS_END), S("{\"occupancyy\": {}}"), &none),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_alerts(gen, S(ALERTS_START), S(ALERTS_END), S("{\"occupancy\": {\"warning_pct\": 50}}"),
                                   &none),
             HUTANO_RESULT_INVALID_PARAMETER); /* clears at 82 %, above the warning level */
  CHECK_OK(hutano_last_error_detail(message, sizeof message, &n));
  CHECK(strstr(message, "occupancy.clear_below_pct") != NULL);
  CHECK_CODE(hutano_dataset_alerts(gen, S(ALERTS_START), S(ALERTS_END), S("{\"icu\": {\"warning_free\": -1}}"), &none),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_alerts(gen, S(ALERTS_END), S(ALERTS_START), NULL, 0, &none),
             HUTANO_RESULT_INVALID_PARAMETER); /* empty period */
  CHECK_CODE(hutano_dataset_alerts(gen, S("15/01/2024"), S(ALERTS_END), NULL, 0, &none),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_alerts(gen, S(ALERTS_START), S(ALERTS_END), S("{\"occupancy\": \"\xff\"}"), &none),
             HUTANO_RESULT_INVALID_UTF8);
  CHECK_CODE(hutano_dataset_alerts(gen, S("2024-01-1\xc3"), S(ALERTS_END), NULL, 0, &none),
             HUTANO_RESULT_INVALID_UTF8);
  CHECK_CODE(hutano_dataset_alerts(gen, NULL, 10, S(ALERTS_END), NULL, 0, &none), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_dataset_alerts(gen, S(ALERTS_START), S(ALERTS_END), NULL, 5, &none),
             HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_dataset_alerts(NULL, S(ALERTS_START), S(ALERTS_END), NULL, 0, &none),
             HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_dataset_alerts(gen, S(ALERTS_START), S(ALERTS_END), NULL, 0, NULL), HUTANO_RESULT_NULL_PARAMETER);
  CHECK(none == NULL);

  /* Double free and use after free. */
  CHECK_OK(hutano_alerts_free(a));
  CHECK_CODE(hutano_alerts_free(a), HUTANO_RESULT_INVALID_HANDLE);
  CHECK_CODE(hutano_alerts_count(a, &n), HUTANO_RESULT_INVALID_HANDLE);
  CHECK_OK(hutano_alerts_free(NULL));
}

/* Summary numbers `names` of a plan, after its objective, into got. */
static void plan_numbers(const hutano_plan *p, const char *const *names, size_t k, double *got) {
  size_t i, count = 0, n = 0;
  char name[64];
  CHECK_OK(hutano_plan_objective(p, &got[0]));
  CHECK_OK(hutano_plan_summary_count(p, &count));
  CHECK(count == k);
  for (i = 0; i < k; i++) {
    CHECK_OK(hutano_plan_summary_name(p, i, name, sizeof name, &n));
    CHECK(strcmp(name, names[i]) == 0);
    CHECK_OK(hutano_plan_summary_value(p, names[i], strlen(names[i]), &got[i + 1]));
  }
}

/* Rows and columns of a plan's rows (or unmet) table; frees it. */
static void table_shape_and_free(hutano_table *t, size_t *rows, size_t *cols) {
  CHECK_OK(hutano_table_shape(t, rows, cols));
  CHECK_OK(hutano_table_free(t));
}

static void test_dataset_plans(const hutano_dataset *gen) {
  static const char *const BED_NAMES[5] = {"unmet_patients", "off_service_patients", "wrong_type_patients",
                                           "transferred_patients", "transfer_km"};
  static const char *const STAFF_NAMES[7] = {"shifts", "hours", "overtime_hours", "wages",
                                             "missing", "max_nights", "max_weekend_shifts"};
  hutano_plan *p = NULL, *again = NULL, *none = NULL;
  hutano_table *t = NULL;
  hutano_planner kind = 0;
  hutano_column_type type = 0;
  double got[8], v = 0.0, count[2];
  size_t rows = 0, cols = 0, n = 0, j = 0;
  char name[64], tiny[4];
  char *json = NULL;

  /* Beds: the Rust API's plan of the observed census over two days. */
  CHECK_OK(hutano_dataset_bed_plan(gen, S(PLAN_START), BED_DAYS, NULL, 0, &p));
  CHECK_OK(hutano_plan_kind(p, &kind));
  CHECK(kind == HUTANO_PLANNER_BEDS);
  plan_numbers(p, BED_NAMES, 5, got);
  check_expected("bed_plan", got, 6);
  CHECK_OK(hutano_plan_rows(p, &t));
  CHECK_OK(hutano_table_column_name(t, 0, name, sizeof name, &n));
  CHECK(strcmp(name, "date") == 0);
  CHECK_OK(hutano_table_column_type(t, 0, &type));
  CHECK(type == HUTANO_COLUMN_TYPE_DATE);
  CHECK_OK(hutano_table_column_index(t, S("transfer_km"), &j));
  CHECK_OK(hutano_table_column_type(t, j, &type));
  CHECK(type == HUTANO_COLUMN_TYPE_FLOAT);
  table_shape_and_free(t, &rows, &cols);
  count[0] = (double)rows;
  check_expected("bed_plan_rows", count, 1);
  CHECK(cols == 13);
  CHECK_OK(hutano_plan_unmet(p, &t));
  table_shape_and_free(t, &rows, &cols);
  CHECK(rows == 0 && cols == 6);
  FETCH_TEXT(json, hutano_plan_json(p, buf, len, out_n));
  CHECK(strncmp(json, "{\"days\":[{\"date\":\"2024-01-20\"", 29) == 0);
  free(json);
  FETCH_TEXT(json, hutano_plan_problem_json(p, buf, len, out_n));
  CHECK(strstr(json, "\"allow_unmet\":true") != NULL);
  free(json);
  /* The problem alone, solved through hutano_plan_beds: the same plan. */
  FETCH_TEXT(json, hutano_dataset_bed_problem(gen, S(PLAN_START), BED_DAYS, NULL, 0, buf, len, out_n));
  CHECK_OK(hutano_plan_beds(json, strlen(json), &again));
  CHECK_OK(hutano_plan_objective(again, &v));
  CHECK(v == got[0]);
  CHECK_OK(hutano_plan_free(again));
  again = NULL;
  free(json);
  /* Settings in part: cheaper off-service placements cannot cost more. */
  CHECK_OK(hutano_dataset_bed_plan(gen, S(PLAN_START), BED_DAYS,
                                   S("{\"costs\": {\"off_service\": 5}, \"allow_unmet\": false}"), &again));
  CHECK_OK(hutano_plan_objective(again, &v));
  CHECK(v <= got[0]);
  CHECK_OK(hutano_plan_free(again));
  again = NULL;
  /* Summary and accessor errors. */
  CHECK_CODE(hutano_plan_summary_name(p, 5, name, sizeof name, &n), HUTANO_RESULT_INDEX_OUT_OF_RANGE);
  CHECK_CODE(hutano_plan_summary_value(p, S("wages"), &v), HUTANO_RESULT_NOT_FOUND);
  CHECK_CODE(hutano_plan_summary_value(p, S("\xfe"), &v), HUTANO_RESULT_INVALID_UTF8);
  CHECK_CODE(hutano_plan_summary_value(p, NULL, 3, &v), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_plan_summary_value(p, S("transfer_km"), NULL), HUTANO_RESULT_NULL_PARAMETER);
  memcpy(tiny, "xyz", 4);
  CHECK_CODE(hutano_plan_summary_name(p, 0, tiny, sizeof tiny, &n), HUTANO_RESULT_BUFFER_TOO_SMALL);
  CHECK(n == strlen("unmet_patients") && strcmp(tiny, "xyz") == 0);
  CHECK_CODE(hutano_plan_summary_count(p, NULL), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_plan_objective(p, NULL), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_plan_objective(NULL, &v), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_plan_kind(p, NULL), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_plan_rows(p, NULL), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_plan_unmet(NULL, &t), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_plan_json(p, NULL, 8, &n), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_plan_problem_json(p, name, sizeof name, NULL), HUTANO_RESULT_NULL_PARAMETER);
  /* Bad settings, dates and horizons: *out untouched. */
  CHECK_CODE(hutano_dataset_bed_plan(gen, S(PLAN_START), BED_DAYS, S("{\"cost\": {}}"), &none),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_bed_plan(gen, S(PLAN_START), BED_DAYS, S("{\"costs\": {\"unmett\": 1}}"), &none),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_OK(hutano_last_error_detail(name, sizeof name, &n));
  CHECK(strncmp(name, "settings_json: unknown field costs.unmett", 41) == 0);
  CHECK_CODE(hutano_dataset_bed_plan(gen, S(PLAN_START), BED_DAYS, S("{\"costs\": {\"unmet\": -1}}"), &none),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_bed_plan(gen, S(PLAN_START), BED_DAYS, S("[true]"), &none),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_bed_plan(gen, S(PLAN_START), 0, NULL, 0, &none), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_bed_plan(gen, S(PLAN_START), 100000, NULL, 0, &none), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_bed_plan(gen, S("2024-02-30"), BED_DAYS, NULL, 0, &none),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_bed_plan(gen, S(PLAN_START), BED_DAYS, S("{\"allow_unmet\": \"\xc3\x28\"}"), &none),
             HUTANO_RESULT_INVALID_UTF8);
  CHECK_CODE(hutano_dataset_bed_plan(gen, NULL, 3, BED_DAYS, NULL, 0, &none), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_dataset_bed_plan(NULL, S(PLAN_START), BED_DAYS, NULL, 0, &none), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_dataset_bed_plan(gen, S(PLAN_START), BED_DAYS, NULL, 0, NULL), HUTANO_RESULT_NULL_PARAMETER);
  CHECK(none == NULL);
  n = 7;
  CHECK_CODE(hutano_dataset_bed_problem(gen, S(PLAN_START), 0, NULL, 0, NULL, 0, &n), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK(n == 7);
  CHECK_CODE(hutano_dataset_bed_problem(gen, S(PLAN_START), BED_DAYS, NULL, 0, NULL, 0, NULL),
             HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_dataset_bed_problem(gen, S(PLAN_START), BED_DAYS, NULL, 0, NULL, 9, &n),
             HUTANO_RESULT_NULL_PARAMETER);
  /* A plan is not a data set. */
  CHECK_CODE(hutano_dataset_bed_plan((const hutano_dataset *)(const void *)p, S(PLAN_START), BED_DAYS, NULL, 0, &none),
             HUTANO_RESULT_INVALID_HANDLE);
  CHECK_OK(hutano_plan_free(p));
  CHECK_CODE(hutano_plan_free(p), HUTANO_RESULT_INVALID_HANDLE);
  CHECK_CODE(hutano_plan_objective(p, &v), HUTANO_RESULT_INVALID_HANDLE);
  p = NULL;

  /* Staff: the Rust API's roster of one day (rosters grow fast with days). */
  CHECK_OK(hutano_dataset_staff_plan(gen, S(PLAN_START), STAFF_DAYS, NULL, 0, &p));
  CHECK_OK(hutano_plan_kind(p, &kind));
  CHECK(kind == HUTANO_PLANNER_STAFF);
  plan_numbers(p, STAFF_NAMES, 7, got);
  check_expected("staff_plan", got, 8);
  CHECK_OK(hutano_plan_rows(p, &t));
  table_shape_and_free(t, &rows, &cols);
  count[0] = (double)rows;
  CHECK(cols == 8);
  CHECK_OK(hutano_plan_unmet(p, &t));
  CHECK_OK(hutano_table_column_index(t, S("missing"), &j));
  table_shape_and_free(t, &rows, &cols);
  count[1] = (double)rows;
  CHECK(cols == 9);
  check_expected("staff_plan_rows", count, 2);
  FETCH_TEXT(json, hutano_dataset_staff_problem(gen, S(PLAN_START), STAFF_DAYS, S("{\"rules\": {\"night_fairness\": 20}}"),
                                                buf, len, out_n));
  CHECK_OK(hutano_plan_staff(json, strlen(json), &again));
  CHECK_OK(hutano_plan_objective(again, &v));
  CHECK(v == got[0]);
  CHECK_OK(hutano_plan_free(again));
  again = NULL;
  free(json);
  CHECK_CODE(hutano_dataset_staff_plan(gen, S(PLAN_START), STAFF_DAYS, S("{\"ratios\": {\"minimum_share\": 2}}"), &none),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_staff_plan(gen, S(PLAN_START), STAFF_DAYS, S("{\"rules\": {\"min_rest_hours\": -1}}"), &none),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_staff_plan(gen, S(PLAN_START), STAFF_DAYS, S("{\"ratio\": {}}"), &none),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_staff_plan(gen, S(PLAN_START), 0, NULL, 0, &none), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_staff_plan(gen, S("\xff"), STAFF_DAYS, NULL, 0, &none), HUTANO_RESULT_INVALID_UTF8);
  CHECK_CODE(hutano_dataset_staff_plan(NULL, S(PLAN_START), STAFF_DAYS, NULL, 0, &none), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_dataset_staff_plan(gen, S(PLAN_START), STAFF_DAYS, NULL, 0, NULL), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_dataset_staff_problem(gen, S(PLAN_START), STAFF_DAYS, S("nope"), NULL, 0, &n),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_staff_problem(NULL, S(PLAN_START), STAFF_DAYS, NULL, 0, NULL, 0, &n),
             HUTANO_RESULT_NULL_PARAMETER);
  CHECK(none == NULL);
  CHECK_OK(hutano_plan_free(p));
  CHECK_CODE(hutano_plan_free(p), HUTANO_RESULT_INVALID_HANDLE);
  CHECK_OK(hutano_plan_free(NULL));
}

/* Text of cell (column `name`, row) of a table. */
static void cell(const hutano_table *t, const char *name, size_t row, char *buf, size_t len) {
  size_t j = 0, n = 0;
  buf[0] = '\0';
  CHECK_OK(hutano_table_column_index(t, name, strlen(name), &j));
  CHECK_OK(hutano_table_cell_text(t, j, row, buf, len, &n));
}

/* Column `name` of a plan's rows as integers (at most `cap` rows). */
static size_t int_column(const hutano_table *t, const char *name, int64_t *out, size_t cap) {
  size_t j = 0, n = 0;
  CHECK_OK(hutano_table_column_index(t, name, strlen(name), &j));
  CHECK_OK(hutano_table_column_i64(t, j, out, cap, &n));
  return n;
}

/* Two beds at A and one at B (no location: a transfer costs exactly 50) over
 * three days. Two patients arrive at A on day 0 for three days, one on day 1
 * and one on day 2 for a day. By hand: moving one long stay to B costs 50
 * once and frees its bed at A for both short stays; moving the short stays
 * instead costs 2 x 50; so the optimum is 50 with 1 transferred patient. */
static const char STAYS[] =
    "{\"start\": \"2024-05-03\", \"days\": 3, \"hospitals\": [{\"code\": \"A\", \"location\": null}, "
    "{\"code\": \"B\", \"location\": null}], \"pools\": [{\"ward\": \"A-MED\", \"hospital\": 0, \"service\": "
    "\"Medicine\", \"bed_type\": \"general\", \"beds\": [2, 2, 2]}, {\"ward\": \"B-MED\", \"hospital\": 1, "
    "\"service\": \"Medicine\", \"bed_type\": \"general\", \"beds\": [1, 1, 1]}], \"demand\": [{\"day\": 0, "
    "\"hospital\": 0, \"service\": \"Medicine\", \"bed_type\": \"general\", \"patients\": 2, \"stay_days\": 3}, "
    "{\"day\": 1, \"hospital\": 0, \"service\": \"Medicine\", \"bed_type\": \"general\", \"patients\": 1}, "
    "{\"day\": 2, \"hospital\": 0, \"service\": \"Medicine\", \"bed_type\": \"general\", \"patients\": 1, "
    "\"stay_days\": 1}], \"allow_unmet\": true}";

static void test_json_bed_stays(void) {
  hutano_plan *p = NULL;
  hutano_table *t = NULL;
  hutano_column_type type = 0;
  int64_t arrival[16], patients[16], demand[16], days[16];
  double km[16], v = 0.0;
  size_t rows = 0, cols = 0, n = 0, i = 0, j = 0;
  int64_t arrived = 0, occupied = 0, moved = 0, moved_rows = 0;

  CHECK_OK(hutano_plan_beds(S(STAYS), &p));
  CHECK_OK(hutano_plan_objective(p, &v));
  CHECK(v == 50.0);
  CHECK_OK(hutano_plan_summary_value(p, S("transferred_patients"), &v));
  CHECK(v == 1.0);
  CHECK_OK(hutano_plan_summary_value(p, S("unmet_patients"), &v));
  CHECK(v == 0.0);
  CHECK_OK(hutano_plan_rows(p, &t));
  CHECK_OK(hutano_table_shape(t, &rows, &cols));
  /* One row per day and pool of each group: day 0 the long stay in A-MED and
   * in B-MED; days 1 and 2 the same two plus the day's short stay in A-MED. */
  CHECK(rows == 8 && cols == 13);
  CHECK_OK(hutano_table_column_index(t, S("arrival"), &j));
  CHECK_OK(hutano_table_column_type(t, j, &type));
  CHECK(type == HUTANO_COLUMN_TYPE_INT);
  CHECK(int_column(t, "arrival", arrival, 16) == rows);
  CHECK(int_column(t, "patients", patients, 16) == rows);
  CHECK(int_column(t, "demand_index", demand, 16) == rows);
  CHECK(int_column(t, "date", days, 16) == rows);
  CHECK_OK(hutano_table_column_index(t, S("transfer_km"), &j));
  CHECK_OK(hutano_table_column_f64(t, j, km, 16, &n));
  CHECK(n == rows);
  for (i = 0; i < rows; i++) {
    CHECK(arrival[i] == 0 || arrival[i] == 1);
    /* Arrival exactly on the group's first day: day 0, 1, 2 for groups 0, 1, 2. */
    CHECK(arrival[i] == (days[i] - days[0] == demand[i]));
    occupied += patients[i];
    arrived += arrival[i] * patients[i];
    if (!isnan(km[i])) {
      CHECK(km[i] == 0.0 && demand[i] == 0 && patients[i] == 1);
      moved += arrival[i] * patients[i];
      moved_rows++;
    }
  }
  CHECK(occupied == 8); /* patient-days: 2 x 3 + 1 + 1 */
  CHECK(arrived == 4);  /* each patient arrives once */
  CHECK(moved == 1);    /* the transfer is on the arrival day only... */
  CHECK(moved_rows == 3); /* ...while the stay at B is marked on each of its 3 days */
  CHECK(days[0] == 19846); /* 2024-05-03 as days since 1970-01-01 */
  table_shape_and_free(t, &rows, &cols);
  CHECK_OK(hutano_plan_free(p));
}

/* a == b up to the LP tolerances of two different solvers. */
static int close_to(double a, double b) {
  return fabs(a - b) <= 1e-6 * fmax(1.0, fabs(b));
}

/* The bound of a budgeted plan (summary numbers after the planner's `k`),
 * checked against its objective: lower_bound <= objective, gap >= 0. */
static void plan_bound(const hutano_plan *p, size_t k, double *objective, double *lower_bound, double *gap,
                       double *optimal, double *nodes) {
  static const char *const BOUND_NAMES[4] = {"lower_bound", "gap", "optimal", "nodes"};
  double *values[4];
  size_t i, count = 0, n = 0;
  char name[64];
  values[0] = lower_bound;
  values[1] = gap;
  values[2] = optimal;
  values[3] = nodes;
  CHECK_OK(hutano_plan_objective(p, objective));
  CHECK_OK(hutano_plan_summary_count(p, &count));
  CHECK(count == k + 4);
  for (i = 0; i < 4; i++) {
    CHECK_OK(hutano_plan_summary_name(p, k + i, name, sizeof name, &n));
    CHECK(strcmp(name, BOUND_NAMES[i]) == 0);
    CHECK_OK(hutano_plan_summary_value(p, BOUND_NAMES[i], strlen(BOUND_NAMES[i]), values[i]));
  }
  CHECK(*lower_bound <= *objective + 1e-9 * fmax(1.0, fabs(*objective)));
  CHECK(*gap >= 0.0 && *gap < 1.0 + 1e-12);
  CHECK(*optimal == 0.0 || *optimal == 1.0);
  CHECK(*nodes >= 0.0 && *nodes == floor(*nodes));
}

static void test_budgeted_plans(const hutano_dataset *gen) {
#define NURSE(code) \
  "{\"code\": \"" code "\", \"role\": \"nurse\", \"units\": [\"ICU\"], \"skills\": [\"icu\"], "            \
  "\"contracted_hours_per_week\": 40, \"max_overtime_hours_per_week\": 4, \"hourly_cost\": 10, \"leave\": []}"
#define NEED(day, shift, t, m) \
  "{\"unit\": \"ICU\", \"role\": \"nurse\", \"skill\": null, \"day\": " #day ", \"shift\": " #shift            \
  ", \"target\": " #t ", \"minimum\": " #m "}"
  /* Four nurses, three days, targets above the floors: a roster with
   * fairness and understaffing trade-offs. */
  static const char ROSTER[] = "{\"start\": \"2024-05-03\", \"days\": 3, \"staff\": [" NURSE("N1") ", " NURSE("N2") ", "
      NURSE("N3") ", " NURSE("N4") "], \"requirements\": [" NEED(0, 0, 2, 1) ", " NEED(0, 1, 1, 1) ", " NEED(0, 2, 1, 1)
      ", " NEED(1, 0, 2, 1) ", " NEED(1, 1, 2, 1) ", " NEED(1, 2, 1, 1) ", " NEED(2, 0, 2, 1) ", " NEED(2, 1, 1, 1)
      ", " NEED(2, 2, 2, 1) "]}";
#undef NURSE
#undef NEED
  static const char *const BAD[] = {
      "{\"node_limit\": -1}",  "{\"node_limit\": 1.5}", "{\"node_limit\": \"10\"}", "{\"gap\": 1}",
      "{\"gap\": 1.5}",        "{\"gap\": -0.01}",      "{\"gap\": NaN}",            "{\"gap\": \"nan\"}",
      "{\"gap\": 1e999}",      "{\"nodes\": 3}",        "[0]",                      "{\"node_limit\": 0",
  };
  hutano_plan *p = NULL, *exact = NULL, *none = NULL;
  hutano_table *t = NULL;
  hutano_planner kind = 0;
  double best = 0.0, obj = 0.0, lb = 0.0, gap = 0.0, opt = 0.0, nodes = 0.0, v = 0.0;
  double exact_obj = 0.0;
  size_t rows = 0, cols = 0, n = 0, i = 0;
  char detail[512], text[1024];
  char *json = NULL;

  /* Beds with stays (optimum 50 by hand, test_json_bed_stays): at the root
   * only, a plan and a bound below it; unlimited, the exact optimum. */
  CHECK_OK(hutano_plan_beds(S(STAYS), &exact));
  CHECK_OK(hutano_plan_objective(exact, &best));
  CHECK(best == 50.0);
  CHECK_CODE(hutano_plan_summary_value(exact, S("lower_bound"), &v), HUTANO_RESULT_NOT_FOUND);
  CHECK_CODE(hutano_plan_summary_value(exact, S("nodes"), &v), HUTANO_RESULT_NOT_FOUND);
  CHECK_OK(hutano_plan_beds_budgeted(S(STAYS), S("{\"node_limit\": 0}"), &p));
  CHECK_OK(hutano_plan_kind(p, &kind));
  CHECK(kind == HUTANO_PLANNER_BEDS);
  plan_bound(p, 5, &obj, &lb, &gap, &opt, &nodes);
  CHECK(nodes == 0.0);
  CHECK(obj >= best - 1e-9);
  CHECK(lb <= best + 1e-9);
  CHECK(close_to(gap, (obj - lb) / fmax(fabs(obj), 1.0)) || gap == 0.0);
  CHECK_OK(hutano_plan_rows(p, &t));
  table_shape_and_free(t, &rows, &cols);
  CHECK(rows > 0 && cols == 13);
  /* The budget is not part of the problem. */
  CHECK_OK(hutano_plan_problem_json(p, text, sizeof text, &n));
  CHECK(strstr(text, "node_limit") == NULL && strstr(text, "\"allow_unmet\":true") != NULL);
  CHECK_OK(hutano_plan_free(p));
  p = NULL;
  /* No limit (NULL, empty, {} or nulls): the optimum, proven. */
  for (i = 0; i < 4; i++) {
    static const char *const UNLIMITED[4] = {NULL, "", "{}", "{\"node_limit\": null, \"gap\": null}"};
    const char *b = UNLIMITED[i];
    CHECK_OK(hutano_plan_beds_budgeted(S(STAYS), b, b == NULL ? 0 : strlen(b), &p));
    plan_bound(p, 5, &obj, &lb, &gap, &opt, &nodes);
    CHECK(close_to(obj, best));
    CHECK(opt == 1.0);
    CHECK(gap <= 1e-9);
    CHECK(close_to(lb, best));
    CHECK_OK(hutano_plan_summary_value(p, S("transferred_patients"), &v));
    CHECK(v == 1.0);
    CHECK_OK(hutano_plan_free(p));
    p = NULL;
  }
  /* A gap target of 0.5: within half of the bound. */
  CHECK_OK(hutano_plan_beds_budgeted(S(STAYS), S("{\"gap\": 0.5}"), &p));
  plan_bound(p, 5, &obj, &lb, &gap, &opt, &nodes);
  CHECK(obj >= best - 1e-9 && lb <= best + 1e-9 && gap <= 0.5 + 1e-12);
  CHECK_OK(hutano_plan_free(p));
  p = NULL;
  CHECK_OK(hutano_plan_free(exact));
  exact = NULL;

  /* A roster: the same, against hutano_plan_staff. */
  CHECK_OK(hutano_plan_staff(S(ROSTER), &exact));
  CHECK_OK(hutano_plan_objective(exact, &exact_obj));
  CHECK_CODE(hutano_plan_summary_value(exact, S("gap"), &v), HUTANO_RESULT_NOT_FOUND);
  CHECK_OK(hutano_plan_staff_budgeted(S(ROSTER), S("{\"node_limit\": 0}"), &p));
  CHECK_OK(hutano_plan_kind(p, &kind));
  CHECK(kind == HUTANO_PLANNER_STAFF);
  plan_bound(p, 7, &obj, &lb, &gap, &opt, &nodes);
  CHECK(nodes == 0.0);
  CHECK(obj >= exact_obj - 1e-6 * fmax(1.0, fabs(exact_obj)));
  CHECK(lb <= exact_obj + 1e-6 * fmax(1.0, fabs(exact_obj)));
  /* The root LP alone does not prove this roster optimal (deterministic). */
  CHECK(opt == 0.0 && lb < obj && gap > 0.0);
  CHECK(close_to(gap, (obj - lb) / fmax(fabs(obj), 1.0)));
  CHECK_OK(hutano_plan_rows(p, &t));
  table_shape_and_free(t, &rows, &cols);
  CHECK(rows > 0 && cols == 8);
  CHECK_OK(hutano_plan_free(p));
  p = NULL;
  CHECK_OK(hutano_plan_staff_budgeted(S(ROSTER), S("{}"), &p));
  plan_bound(p, 7, &obj, &lb, &gap, &opt, &nodes);
  CHECK(close_to(obj, exact_obj));
  CHECK(opt == 1.0 && gap <= 1e-9);
  CHECK_OK(hutano_plan_free(p));
  p = NULL;
  /* The same node limit, the same roster. */
  CHECK_OK(hutano_plan_staff_budgeted(S(ROSTER), S("{\"node_limit\": 3, \"gap\": 0.01}"), &p));
  CHECK_OK(hutano_plan_staff_budgeted(S(ROSTER), S("{\"gap\": 0.01, \"node_limit\": 3}"), &none));
  CHECK_OK(hutano_plan_objective(p, &obj));
  CHECK_OK(hutano_plan_objective(none, &v));
  CHECK(obj == v);
  CHECK_OK(hutano_plan_free(none));
  none = NULL;
  CHECK_OK(hutano_plan_free(p));
  p = NULL;
  CHECK_OK(hutano_plan_free(exact));
  exact = NULL;

  /* Bad budgets: INVALID_PARAMETER with the key named, *out untouched. */
  for (i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
    CHECK_CODE(hutano_plan_beds_budgeted(S(STAYS), BAD[i], strlen(BAD[i]), &none), HUTANO_RESULT_INVALID_PARAMETER);
    CHECK_CODE(hutano_plan_staff_budgeted(S(ROSTER), BAD[i], strlen(BAD[i]), &none),
               HUTANO_RESULT_INVALID_PARAMETER);
    CHECK_OK(hutano_last_error_detail(detail, sizeof detail, &n));
    CHECK(strncmp(detail, "budget_json", 11) == 0);
  }
  CHECK_CODE(hutano_plan_beds_budgeted(S(STAYS), S("{\"gap\": 1.5}"), &none), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_OK(hutano_last_error_detail(detail, sizeof detail, &n));
  CHECK(strcmp(detail, "budget_json: gap must be in [0, 1), got 1.5") == 0);
  CHECK_CODE(hutano_plan_staff_budgeted(S(ROSTER), S("{\"node_limit\": -1}"), &none),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_OK(hutano_last_error_detail(detail, sizeof detail, &n));
  CHECK(strcmp(detail, "budget_json: node_limit must be a whole number of nodes from 0 (null: no limit), got -1") == 0);
  CHECK_CODE(hutano_plan_beds_budgeted(S(STAYS), S("{\"gap\": \"\xc3\x28\"}"), &none), HUTANO_RESULT_INVALID_UTF8);
  CHECK_CODE(hutano_plan_beds_budgeted(S(STAYS), NULL, 3, &none), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_plan_staff_budgeted(S(ROSTER), NULL, 2, &none), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_plan_beds_budgeted(NULL, 5, S("{}"), &none), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_plan_staff_budgeted(NULL, 0, S("{}"), &none), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_plan_beds_budgeted(S(STAYS), S("{}"), NULL), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_plan_staff_budgeted(S(ROSTER), S("{}"), NULL), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_plan_beds_budgeted(S("{\"days\": 1}"), S("{}"), &none), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_plan_staff_budgeted(S("{\"start\": \"2024-05-03\", \"days\": 1, \"staff\": [], \"requirements\": "
                                          "[], \"shifts\": []}"),
                                        S("{\"node_limit\": 0}"), &none),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK(none == NULL);

  /* Data-set plans: a "budget" in the settings. Beds (one-day stays: exact at the root). */
  CHECK_OK(hutano_dataset_bed_plan(gen, S(PLAN_START), BED_DAYS, NULL, 0, &exact));
  CHECK_OK(hutano_plan_objective(exact, &exact_obj));
  CHECK_OK(hutano_dataset_bed_plan(gen, S(PLAN_START), BED_DAYS, S("{\"budget\": {\"node_limit\": 0}}"), &p));
  plan_bound(p, 5, &obj, &lb, &gap, &opt, &nodes);
  CHECK(obj >= exact_obj - 1e-6 * fmax(1.0, fabs(exact_obj)) && lb <= exact_obj + 1e-6 * fmax(1.0, fabs(exact_obj)));
  CHECK_OK(hutano_plan_free(p));
  p = NULL;
  CHECK_OK(hutano_dataset_bed_plan(gen, S(PLAN_START), BED_DAYS,
                                   S("{\"allow_unmet\": true, \"budget\": {}, \"costs\": {\"unmet\": 1000}}"), &p));
  plan_bound(p, 5, &obj, &lb, &gap, &opt, &nodes);
  CHECK(close_to(obj, exact_obj));
  CHECK(opt == 1.0);
  CHECK_OK(hutano_plan_free(p));
  p = NULL;
  /* "budget": null is no budget: an exact plan without a bound. */
  CHECK_OK(hutano_dataset_bed_plan(gen, S(PLAN_START), BED_DAYS, S("{\"budget\": null}"), &p));
  CHECK_OK(hutano_plan_summary_count(p, &n));
  CHECK(n == 5);
  CHECK_OK(hutano_plan_objective(p, &obj));
  CHECK(obj == exact_obj);
  CHECK_OK(hutano_plan_free(p));
  p = NULL;
  CHECK_OK(hutano_plan_free(exact));
  exact = NULL;
  /* Staff (one day). */
  CHECK_OK(hutano_dataset_staff_plan(gen, S(PLAN_START), STAFF_DAYS, NULL, 0, &exact));
  CHECK_OK(hutano_plan_objective(exact, &exact_obj));
  CHECK_OK(hutano_dataset_staff_plan(gen, S(PLAN_START), STAFF_DAYS,
                                     S("{\"budget\": {\"node_limit\": 0, \"gap\": 0.05}}"), &p));
  CHECK_OK(hutano_plan_kind(p, &kind));
  CHECK(kind == HUTANO_PLANNER_STAFF);
  plan_bound(p, 7, &obj, &lb, &gap, &opt, &nodes);
  CHECK(nodes == 0.0);
  CHECK(obj >= exact_obj - 1e-6 * fmax(1.0, fabs(exact_obj)) && lb <= exact_obj + 1e-6 * fmax(1.0, fabs(exact_obj)));
  CHECK_OK(hutano_plan_free(p));
  p = NULL;
  CHECK_OK(hutano_plan_free(exact));
  exact = NULL;
  /* The problem calls take (and check) the budget, and leave it out of the problem. */
  FETCH_TEXT(json, hutano_dataset_bed_problem(gen, S(PLAN_START), BED_DAYS, S("{\"budget\": {\"gap\": 0.1}}"), buf,
                                              len, out_n));
  CHECK(strstr(json, "budget") == NULL && strstr(json, "gap") == NULL);
  free(json);
  json = NULL;
  n = 7;
  CHECK_CODE(hutano_dataset_staff_problem(gen, S(PLAN_START), STAFF_DAYS, S("{\"budget\": {\"gap\": -1}}"), NULL, 0, &n),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK(n == 7);
  /* Bad budgets in the settings. */
  CHECK_CODE(hutano_dataset_bed_plan(gen, S(PLAN_START), BED_DAYS, S("{\"budget\": {\"node_limit\": -1}}"), &none),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_OK(hutano_last_error_detail(detail, sizeof detail, &n));
  CHECK(strcmp(detail,
               "settings_json: budget.node_limit must be a whole number of nodes from 0 (null: no limit), got -1") == 0);
  CHECK_CODE(hutano_dataset_staff_plan(gen, S(PLAN_START), STAFF_DAYS, S("{\"budget\": {\"gap\": 1}}"), &none),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_OK(hutano_last_error_detail(detail, sizeof detail, &n));
  CHECK(strcmp(detail, "settings_json: budget.gap must be in [0, 1), got 1") == 0);
  CHECK_CODE(hutano_dataset_staff_plan(gen, S(PLAN_START), STAFF_DAYS, S("{\"budget\": {\"gap\": NaN}}"), &none),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_bed_plan(gen, S(PLAN_START), BED_DAYS, S("{\"budget\": {\"limit\": 3}}"), &none),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_dataset_bed_plan(gen, S(PLAN_START), BED_DAYS, S("{\"budget\": 10}"), &none),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK(none == NULL);
}

static void test_json_plans(void) {
  static const char BEDS[] =
      "{\"start\": \"2024-05-03\", \"days\": 1, \"hospitals\": [{\"code\": \"HRE\", \"location\": null}], "
      "\"pools\": [{\"ward\": \"HRE-MED-W1\", \"hospital\": 0, \"service\": \"Medicine\", \"bed_type\": \"general\", "
      "\"beds\": [10]}], \"demand\": [{\"day\": 0, \"hospital\": 0, \"service\": \"Medicine\", \"bed_type\": "
      "\"general\", \"patients\": 12}], \"allow_unmet\": true}";
#define NURSE(code) \
  "{\"code\": \"" code "\", \"role\": \"nurse\", \"units\": [\"ICU\"], \"skills\": [\"icu\"], "            \
  "\"contracted_hours_per_week\": 40, \"max_overtime_hours_per_week\": 0, \"hourly_cost\": 10, \"leave\": []}"
#define NEED(day, shift, n) \
  "{\"unit\": \"ICU\", \"role\": \"nurse\", \"skill\": null, \"day\": " #day ", \"shift\": " #shift            \
  ", \"target\": " #n ", \"minimum\": " #n "}"
  static const char STAFF[] = "{\"start\": \"2024-05-03\", \"days\": 2, \"staff\": [" NURSE("N1") ", " NURSE("N2") ", "
      NURSE("N3") "], \"requirements\": [" NEED(0, 0, 1) ", " NEED(0, 1, 1) ", " NEED(0, 2, 1) ", " NEED(1, 0, 1) ", "
      NEED(1, 1, 1) ", " NEED(1, 2, 1) "], \"rules\": {\"weekend_fairness\": 20}}";
  static const char STAFF_SHORT[] = "{\"start\": \"2024-05-03\", \"days\": 1, \"staff\": [" NURSE("N1")
      "], \"requirements\": [" NEED(0, 0, 2) "]}";
  /* One nurse cannot work the day and the evening shift (11 h rest). */
  static const char STAFF_REST[] = "{\"start\": \"2024-05-03\", \"days\": 1, \"staff\": [" NURSE("N1")
      "], \"requirements\": [" NEED(0, 0, 1) ", " NEED(0, 1, 1) "]}";
#undef NURSE
#undef NEED
  static const char DISPATCH[] =
      "{\"requests\": [{\"id\": \"call-0\", \"location\": [-17.93, 31.05], \"weight\": 4, \"bed_type\": \"icu\", "
      "\"needs_als\": true}, {\"id\": \"call-1\", \"location\": [-17.80, 31.00], \"weight\": 1, \"bed_type\": "
      "\"general\", \"needs_als\": false}], \"ambulances\": [{\"code\": \"A1\", \"location\": [-17.83, 31.05], "
      "\"kind\": \"advanced_life_support\"}], \"hospitals\": [{\"code\": \"HRE\", \"location\": [-17.83, 31.05], "
      "\"beds\": [{\"bed_type\": \"icu\", \"now\": 1, \"forecast\": 1.0}, {\"bed_type\": \"general\", \"now\": 5, "
      "\"forecast\": 4.0}]}], \"speed_kmh\": 60, \"unserved_minutes\": 120}";
  static const char SLOTS[] =
      "{\"slots\": [{\"id\": \"s0\", \"equipment\": \"ct\", \"start\": \"2024-02-10T08:00:00\", \"minutes\": 30, "
      "\"capabilities\": [\"contrast\"]}, {\"id\": \"s1\", \"equipment\": \"mri\", \"start\": "
      "\"2024-02-10T09:00:00\", \"minutes\": 45, \"capabilities\": []}], \"waiting\": [{\"id\": \"p0\", "
      "\"equipment\": \"ct\", \"minutes\": 20, \"needs\": [\"contrast\"], \"priority\": 1, \"waited_days\": 10, "
      "\"ready_from\": \"2024-02-09T00:00:00\"}, {\"id\": \"p1\", \"equipment\": \"ct\", \"minutes\": 20, "
      "\"needs\": [], \"priority\": 3, \"waited_days\": 30, \"ready_from\": \"2024-02-09T00:00:00\"}], "
      "\"weights\": {\"delay_weight\": 0.02}}";
  hutano_plan *p = NULL, *none = NULL;
  hutano_table *t = NULL;
  hutano_planner kind = 0;
  char json[2048], detail[512], text[64];
  double got[6], v = 0.0;
  size_t rows = 0, cols = 0, n = 0;

  /* 12 patients, 10 beds, no other pool: 2 unmet at 1000 each (by hand). */
  CHECK_OK(hutano_plan_beds(S(BEDS), &p));
  CHECK_OK(hutano_plan_objective(p, &v));
  CHECK(v == 2000.0);
  CHECK_OK(hutano_plan_summary_value(p, S("unmet_patients"), &v));
  CHECK(v == 2.0);
  CHECK_OK(hutano_plan_rows(p, &t));
  cell(t, "patients", 0, text, sizeof text);
  CHECK(strcmp(text, "10") == 0);
  cell(t, "transfer_km", 0, text, sizeof text);
  CHECK(strcmp(text, "") == 0); /* NaN: not moved */
  table_shape_and_free(t, &rows, &cols);
  CHECK(rows == 1);
  CHECK_OK(hutano_plan_unmet(p, &t));
  cell(t, "patients", 0, text, sizeof text);
  CHECK(strcmp(text, "2") == 0);
  cell(t, "hospital", 0, text, sizeof text);
  CHECK(strcmp(text, "HRE") == 0);
  table_shape_and_free(t, &rows, &cols);
  CHECK(rows == 1);
  /* The defaults were filled in. */
  CHECK_OK(hutano_plan_problem_json(p, json, sizeof json, &n));
  CHECK(strstr(json, "\"costs\":{\"unmet\":1000.0,") != NULL);
  CHECK_OK(hutano_plan_free(p));
  p = NULL;

  /* Transfers: the Rust API's optimum; with 7 patients, infeasible. */
  snprintf(json, sizeof json, TRANSFER_FMT, 4u);
  CHECK_OK(hutano_plan_beds(json, strlen(json), &p));
  CHECK_OK(hutano_plan_objective(p, &got[0]));
  CHECK_OK(hutano_plan_summary_value(p, S("transferred_patients"), &got[1]));
  CHECK_OK(hutano_plan_summary_value(p, S("transfer_km"), &got[2]));
  check_expected("transfer_plan", got, 3);
  CHECK_OK(hutano_plan_free(p));
  p = NULL;
  snprintf(json, sizeof json, TRANSFER_FMT, 7u);
  CHECK_CODE(hutano_plan_beds(json, strlen(json), &none), HUTANO_RESULT_INFEASIBLE);
  CHECK(none == NULL);
  CHECK_OK(hutano_last_error_detail(detail, sizeof detail, &n));
  CHECK(strcmp(detail, "infeasible plan: icu beds for ICU patients at A on 2024-05-03: 7 needed, 5 available") == 0);
  CHECK_OK(hutano_result_message(HUTANO_RESULT_INFEASIBLE, detail, sizeof detail, &n));
  CHECK(strcmp(detail, "the plan's hard constraints cannot all be met") == 0);

  /* Staff: three nurses cover six shifts at 8 h x 10 an hour. */
  CHECK_OK(hutano_plan_staff(S(STAFF), &p));
  CHECK_OK(hutano_plan_kind(p, &kind));
  CHECK(kind == HUTANO_PLANNER_STAFF);
  CHECK_OK(hutano_plan_summary_value(p, S("shifts"), &v));
  CHECK(v == 6.0);
  CHECK_OK(hutano_plan_summary_value(p, S("wages"), &v));
  CHECK(v == 480.0);
  CHECK_OK(hutano_plan_summary_value(p, S("missing"), &v));
  CHECK(v == 0.0);
  CHECK_OK(hutano_plan_rows(p, &t));
  cell(t, "unit", 0, text, sizeof text);
  CHECK(strcmp(text, "ICU") == 0);
  cell(t, "shift", 0, text, sizeof text);
  CHECK(strcmp(text, "day") == 0);
  cell(t, "role", 0, text, sizeof text);
  CHECK(strcmp(text, "nurse") == 0);
  table_shape_and_free(t, &rows, &cols);
  CHECK(rows == 6);
  CHECK_OK(hutano_plan_unmet(p, &t));
  table_shape_and_free(t, &rows, &cols);
  CHECK(rows == 0);
  CHECK_OK(hutano_plan_json(p, json, sizeof json, &n));
  CHECK(strncmp(json, "{\"assignments\":[{", 17) == 0);
  CHECK_OK(hutano_plan_free(p));
  p = NULL;
  /* A floor above the staff who could work the shift, and one that the rest rule forbids. */
  CHECK_CODE(hutano_plan_staff(S(STAFF_SHORT), &none), HUTANO_RESULT_INFEASIBLE);
  CHECK_OK(hutano_last_error_detail(detail, sizeof detail, &n));
  CHECK(strcmp(detail, "infeasible plan: nurses in ICU on 2024-05-03 day shift: 2 needed, 1 available") == 0);
  CHECK_CODE(hutano_plan_staff(S(STAFF_REST), &none), HUTANO_RESULT_INFEASIBLE);
  CHECK_OK(hutano_last_error_detail(detail, sizeof detail, &n));
  CHECK(strncmp(detail, "infeasible plan: nurses in ICU on 2024-05-03 ", 45) == 0);
  CHECK(none == NULL);

  /* Dispatch: the one ALS ambulance goes to the critical call. */
  CHECK_OK(hutano_plan_dispatch(S(DISPATCH), &p));
  CHECK_OK(hutano_plan_kind(p, &kind));
  CHECK(kind == HUTANO_PLANNER_DISPATCH);
  CHECK_OK(hutano_plan_summary_value(p, S("dispatched"), &v));
  CHECK(v == 1.0);
  CHECK_OK(hutano_plan_summary_value(p, S("waiting"), &v));
  CHECK(v == 1.0);
  CHECK_OK(hutano_plan_rows(p, &t));
  cell(t, "request", 0, text, sizeof text);
  CHECK(strcmp(text, "call-0") == 0);
  cell(t, "hospital", 0, text, sizeof text);
  CHECK(strcmp(text, "HRE") == 0);
  CHECK_OK(hutano_table_free(t));
  CHECK_OK(hutano_plan_unmet(p, &t));
  cell(t, "request", 0, text, sizeof text);
  CHECK(strcmp(text, "call-1") == 0);
  CHECK_OK(hutano_table_free(t));
  CHECK_OK(hutano_plan_free(p));
  p = NULL;

  /* Slots: the urgent CT patient gets the CT slot; no one needs the MRI. */
  CHECK_OK(hutano_plan_slots(S(SLOTS), &p));
  CHECK_OK(hutano_plan_kind(p, &kind));
  CHECK(kind == HUTANO_PLANNER_SLOTS);
  CHECK_OK(hutano_plan_objective(p, &v));
  CHECK(v < 0.0);
  CHECK_OK(hutano_plan_summary_value(p, S("booked"), &v));
  CHECK(v == 1.0);
  CHECK_OK(hutano_plan_rows(p, &t));
  cell(t, "patient", 0, text, sizeof text);
  CHECK(strcmp(text, "p0") == 0);
  cell(t, "start", 0, text, sizeof text);
  CHECK(strcmp(text, "2024-02-10T08:00:00") == 0);
  CHECK_OK(hutano_table_free(t));
  CHECK_OK(hutano_plan_unmet(p, &t));
  cell(t, "slot", 0, text, sizeof text);
  CHECK(strcmp(text, "s1") == 0);
  CHECK_OK(hutano_table_free(t));
  CHECK_OK(hutano_plan_problem_json(p, json, sizeof json, &n));
  CHECK(strstr(json, "\"delay_weight\":0.02") != NULL && strstr(json, "\"priority\":[1000.0,") != NULL);
  CHECK_OK(hutano_plan_free(p));
  p = NULL;

  /* Bad problems: *out untouched. */
  CHECK_CODE(hutano_plan_beds(S("{\"start\": "), &none), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_plan_beds(S("[]"), &none), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_plan_beds(S("{\"days\": 1}"), &none), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_plan_beds(NULL, 0, &none), HUTANO_RESULT_INVALID_PARAMETER); /* no problem at all */
  CHECK_CODE(hutano_plan_beds(NULL, 4, &none), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_plan_beds(S("{\"start\": \"\xe2\x82\"}"), &none), HUTANO_RESULT_INVALID_UTF8);
  CHECK_CODE(hutano_plan_beds(S(BEDS), NULL), HUTANO_RESULT_NULL_PARAMETER);
  snprintf(json, sizeof json, "%s", BEDS);
  memcpy(strstr(json, "\"hospital\": 0"), "\"hospital\": 5", 13); /* no hospital 5 */
  CHECK_CODE(hutano_plan_beds(json, strlen(json), &none), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_plan_staff(S("{\"start\": \"2024-05-03\", \"days\": 1, \"staff\": [], \"requirements\": [], "
                                 "\"rules\": {\"rest\": 1}}"),
                               &none),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_plan_staff(S("{\"start\": \"2024-05-03\", \"days\": 1, \"staff\": [], \"requirements\": [], "
                                 "\"shifts\": []}"),
                               &none),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_plan_staff(S("\xff"), &none), HUTANO_RESULT_INVALID_UTF8);
  CHECK_CODE(hutano_plan_staff(S(STAFF), NULL), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_plan_dispatch(S("{\"requests\": [], \"ambulances\": [], \"hospitals\": [], \"speed_kmh\": 0, "
                                    "\"unserved_minutes\": 1}"),
                                  &none),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_plan_dispatch(S("null"), &none), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_plan_dispatch(NULL, 1, &none), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_plan_slots(S("{\"slots\": [], \"waiting\": [{\"id\": \"p\", \"equipment\": \"ct\", \"minutes\": 1, "
                                 "\"needs\": [], \"priority\": 9, \"waited_days\": 0, \"ready_from\": "
                                 "\"2024-02-09T00:00:00\"}]}"),
                               &none),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_plan_slots(S("{\"slots\": [], \"waiting\": [], \"weights\": {\"speed\": 1}}"), &none),
             HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_plan_slots(S(SLOTS), NULL), HUTANO_RESULT_NULL_PARAMETER);
  CHECK(none == NULL);
  /* An empty problem is a plan with nothing in it. */
  CHECK_OK(hutano_plan_slots(S("{\"slots\": [], \"waiting\": []}"), &p));
  CHECK_OK(hutano_plan_rows(p, &t));
  table_shape_and_free(t, &rows, &cols);
  CHECK(rows == 0 && cols == 9);
  CHECK_OK(hutano_plan_objective(p, &v));
  CHECK(v == 0.0);
  /* A table is not a plan; double free and use after free. */
  CHECK_OK(hutano_plan_unmet(p, &t));
  CHECK_CODE(hutano_plan_kind((const hutano_plan *)(const void *)t, &kind), HUTANO_RESULT_INVALID_HANDLE);
  CHECK_CODE(hutano_plan_free((hutano_plan *)(void *)t), HUTANO_RESULT_INVALID_HANDLE);
  CHECK_OK(hutano_table_free(t));
  CHECK_OK(hutano_plan_free(p));
  CHECK_CODE(hutano_plan_free(p), HUTANO_RESULT_INVALID_HANDLE);
  CHECK_CODE(hutano_plan_rows(p, &t), HUTANO_RESULT_INVALID_HANDLE);
}

static double planned(int s, int i) {
  return (double)((i * 7 + 3 * s) % 11);
}

static double admitted(int s, int i) {
  return 5.0 + 2.0 * planned(s, i) + (double)(i % 7) + (double)s;
}

/* Series "a" and "b" of REG_DAYS values; with_x: the "planned" regressor
 * (REG_DAYS + REG_H values) for series a (1) or both (2). */
static hutano_panel *regressor_panel(int with_x) {
  hutano_panel *p = NULL;
  int64_t ds[REG_DAYS];
  double y[REG_DAYS], x[REG_DAYS + REG_H];
  int s, i;
  CHECK_OK(hutano_panel_new(HUTANO_FREQ_DAILY, HUTANO_FILL_ERROR, &p));
  for (s = 0; s < 2; s++) {
    for (i = 0; i < REG_DAYS; i++) {
      ds[i] = REG_START + (int64_t)i * 86400;
      y[i] = admitted(s, i);
    }
    CHECK_OK(hutano_panel_add_series(p, REG_IDS[s], 1, ds, REG_DAYS, y, REG_DAYS));
  }
  for (s = 0; s < with_x; s++) {
    for (i = 0; i < REG_DAYS + REG_H; i++) {
      x[i] = planned(s, i);
    }
    CHECK_OK(hutano_panel_add_regressor(p, REG_IDS[s], 1, S("planned"), x, REG_DAYS + REG_H));
  }
  return p;
}

static void detail_contains(const char *needle) {
  char detail[512];
  size_t n = 0;
  CHECK_OK(hutano_last_error_detail(detail, sizeof detail, &n));
  if (strstr(detail, needle) == NULL) {
    fprintf(stderr, "detail \"%s\" lacks \"%s\"\n", detail, needle);
  }
  CHECK(strstr(detail, needle) != NULL);
}

static void test_regressors(void) {
  hutano_panel *p = regressor_panel(0), *half, *full;
  hutano_forecaster *fc = NULL, *plain = NULL;
  hutano_fitted *fitted = NULL, *none = NULL;
  hutano_forecast *pred = NULL, *with = NULL, *zero = NULL, *missing = NULL;
  hutano_control *control = NULL;
  double x[REG_DAYS + REG_H], future[2 * REG_H], zeros[2 * REG_H], level = 80.0;
  double *a, *b;
  size_t n = 99, rows = 0, cols = 0, m = 0, j;
  char name[64], key[96];
  int i, differs = 0;
  for (i = 0; i < REG_DAYS + REG_H; i++) {
    x[i] = planned(0, i);
  }
  /* Bad input: each call leaves the panel without regressors. */
  CHECK_CODE(hutano_panel_add_regressor(p, S("a"), S("planned"), x, REG_DAYS - 1), HUTANO_RESULT_INVALID_DATA);
  detail_contains("regressor \"planned\" of series \"a\" has 89 values, the series has 90 steps");
  x[3] = NAN;
  CHECK_CODE(hutano_panel_add_regressor(p, S("a"), S("planned"), x, REG_DAYS), HUTANO_RESULT_INVALID_DATA);
  detail_contains("regressor \"planned\" of series \"a\" is not finite at row 3");
  x[3] = INFINITY;
  CHECK_CODE(hutano_panel_add_regressor(p, S("a"), S("planned"), x, REG_DAYS), HUTANO_RESULT_INVALID_DATA);
  x[3] = planned(0, 3);
  CHECK_CODE(hutano_panel_add_regressor(p, S("zz"), S("planned"), x, REG_DAYS), HUTANO_RESULT_NOT_FOUND);
  CHECK_CODE(hutano_panel_add_regressor(p, S("a"), S(""), x, REG_DAYS), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_CODE(hutano_panel_add_regressor(p, S("a"), S("\xc3\x28"), x, REG_DAYS), HUTANO_RESULT_INVALID_UTF8);
  CHECK_CODE(hutano_panel_add_regressor(p, S("a"), S("planned"), NULL, REG_DAYS), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_panel_add_regressor(p, NULL, 1, S("planned"), x, REG_DAYS), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_panel_add_regressor(p, S("a"), NULL, 7, x, REG_DAYS), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_panel_add_regressor(NULL, S("a"), S("planned"), x, REG_DAYS), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_OK(hutano_panel_regressor_count(p, &n));
  CHECK(n == 0);
  CHECK_CODE(hutano_panel_regressor_count(p, NULL), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_panel_regressor_count(NULL, &n), HUTANO_RESULT_NULL_PARAMETER);
  /* No regressor yet: every index is out of range, nothing is written. */
  strcpy(name, "untouched");
  n = 99;
  CHECK_CODE(hutano_panel_regressor_name(p, 0, name, sizeof name, &n), HUTANO_RESULT_INDEX_OUT_OF_RANGE);
  CHECK(n == 99 && strcmp(name, "untouched") == 0);
  /* Exactly the training rows is enough to fit (no future values). */
  CHECK_OK(hutano_panel_add_regressor(p, S("a"), S("planned"), x, REG_DAYS));
  CHECK_CODE(hutano_panel_add_regressor(p, S("a"), S("planned"), x, REG_DAYS), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK_OK(hutano_panel_regressor_count(p, &n));
  CHECK(n == 1);
  /* The name of each regressor column, in column order. */
  CHECK_OK(hutano_panel_add_regressor(p, S("b"), S("weekday"), x, REG_DAYS));
  CHECK_OK(hutano_panel_regressor_count(p, &n));
  CHECK(n == 2);
  CHECK_OK(hutano_panel_regressor_name(p, 0, name, sizeof name, &n));
  CHECK(n == 7 && strcmp(name, "planned") == 0);
  CHECK_OK(hutano_panel_regressor_name(p, 1, name, sizeof name, &n));
  CHECK(n == 7 && strcmp(name, "weekday") == 0);
  /* Size query, then a buffer without room for the NUL: only the length. */
  CHECK_CODE(hutano_panel_regressor_name(p, 0, NULL, 0, &n), HUTANO_RESULT_BUFFER_TOO_SMALL);
  CHECK(n == 7);
  strcpy(name, "untouched");
  n = 0;
  CHECK_CODE(hutano_panel_regressor_name(p, 0, name, 7, &n), HUTANO_RESULT_BUFFER_TOO_SMALL);
  CHECK(n == 7 && strcmp(name, "untouched") == 0);
  /* Bad index, NULL pointers: nothing written. */
  n = 99;
  CHECK_CODE(hutano_panel_regressor_name(p, 2, name, sizeof name, &n), HUTANO_RESULT_INDEX_OUT_OF_RANGE);
  detail_contains("regressor 2 is out of range (there are 2)");
  CHECK_CODE(hutano_panel_regressor_name(p, SIZE_MAX, name, sizeof name, &n), HUTANO_RESULT_INDEX_OUT_OF_RANGE);
  CHECK(n == 99 && strcmp(name, "untouched") == 0);
  CHECK_CODE(hutano_panel_regressor_name(NULL, 0, name, sizeof name, &n), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_panel_regressor_name(p, 0, name, sizeof name, NULL), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_panel_regressor_name(p, 0, NULL, sizeof name, &n), HUTANO_RESULT_NULL_PARAMETER);
  CHECK(n == 99);
  CHECK_OK(hutano_panel_free(p));
  CHECK_CODE(hutano_panel_add_regressor(p, S("a"), S("planned"), x, REG_DAYS), HUTANO_RESULT_INVALID_HANDLE);
  CHECK_CODE(hutano_panel_regressor_count(p, &n), HUTANO_RESULT_INVALID_HANDLE);
  CHECK_CODE(hutano_panel_regressor_name(p, 0, name, sizeof name, &n), HUTANO_RESULT_INVALID_HANDLE);

  /* A regressor given for one series only: fit and backtest name it. */
  CHECK_OK(hutano_forecaster_new(S(REG_MODELS), true, &fc));
  half = regressor_panel(1);
  CHECK_CODE(hutano_forecaster_fit(fc, half, &none), HUTANO_RESULT_INVALID_DATA);
  detail_contains("regressor \"planned\" is not given for series \"b\"");
  CHECK_CODE(hutano_forecaster_cross_validation(fc, half, 7, 2, 7, &level, 1, &missing), HUTANO_RESULT_INVALID_DATA);
  CHECK(none == NULL && missing == NULL);
  /* A series added after the regressor lacks it too. */
  full = regressor_panel(2);
  CHECK_OK(hutano_panel_add_series(half, S("c"), &REG_START, 1, x, 1));
  CHECK_OK(hutano_panel_free(half));
  /* Models that take no regressors refuse them. */
  CHECK_OK(hutano_forecaster_new(S(MODELS), true, &plain));
  CHECK_CODE(hutano_forecaster_fit(plain, full, &none), HUTANO_RESULT_INVALID_DATA);
  detail_contains("takes no regressors");
  CHECK_OK(hutano_forecaster_free(plain));

  /* Fit with a control: one unit per series and model. */
  CHECK_OK(hutano_control_new(&control));
  CHECK_OK(hutano_forecaster_fit_with_control(fc, full, control, &fitted));
  CHECK_OK(hutano_control_done(control, &n));
  CHECK(n == 2 * 2);
  /* The forecast equals the Rust API's on the same data. */
  CHECK_OK(hutano_fitted_predict(fitted, REG_H, &level, 1, &pred));
  CHECK_OK(hutano_forecast_shape(pred, &rows, &cols));
  CHECK(rows == 2 * REG_H && cols == 6);
  a = malloc(rows * sizeof *a);
  b = malloc(rows * sizeof *b);
  for (j = 0; j < cols; j++) {
    CHECK_OK(hutano_forecast_column_name(pred, j, name, sizeof name, &m));
    CHECK_OK(hutano_forecast_values(pred, j, a, rows, &m));
    snprintf(key, sizeof key, "regressor_predict %s", name);
    check_expected(key, a, m);
  }
  /* The same future values given at predict time: the same forecast;
   * other values: another forecast. */
  for (i = 0; i < REG_H; i++) {
    future[i] = planned(0, REG_DAYS + i);
    future[REG_H + i] = planned(1, REG_DAYS + i);
    zeros[i] = zeros[REG_H + i] = 0.0;
  }
  CHECK_OK(hutano_fitted_predict_with(fitted, REG_H, &level, 1, future, 2 * REG_H, &with));
  CHECK_OK(hutano_fitted_predict_with(fitted, REG_H, &level, 1, zeros, 2 * REG_H, &zero));
  for (j = 0; j < cols; j++) {
    int equal = 1;
    CHECK_OK(hutano_forecast_values(pred, j, a, rows, &m));
    CHECK_OK(hutano_forecast_values(with, j, b, rows, &m));
    for (i = 0; i < (int)rows; i++) {
      equal &= same_double(a[i], b[i]);
    }
    CHECK(equal);
    CHECK_OK(hutano_forecast_values(zero, j, b, rows, &m));
    for (i = 0; i < (int)rows; i++) {
      differs |= !same_double(a[i], b[i]);
    }
  }
  CHECK(differs);
  free(a);
  free(b);
  /* An ensemble of models with regressors takes future values too: the
   * same values give the same forecast, others another. */
  {
    hutano_forecaster *ens = NULL;
    hutano_fitted *ens_fit = NULL;
    hutano_forecast *ens_pred = NULL, *ens_with = NULL, *ens_zero = NULL;
    int same = 1, moved = 0;
    CHECK_OK(hutano_forecaster_new(S(ENSEMBLE_REG_MODELS), true, &ens));
    CHECK_OK(hutano_forecaster_fit(ens, full, &ens_fit));
    CHECK_OK(hutano_fitted_predict(ens_fit, REG_H, &level, 1, &ens_pred));
    CHECK_OK(hutano_fitted_predict_with(ens_fit, REG_H, &level, 1, future, 2 * REG_H, &ens_with));
    CHECK_OK(hutano_fitted_predict_with(ens_fit, REG_H, &level, 1, zeros, 2 * REG_H, &ens_zero));
    CHECK_OK(hutano_forecast_shape(ens_pred, &rows, &cols));
    CHECK(rows == 2 * REG_H && cols == 3);
    a = malloc(rows * sizeof *a);
    b = malloc(rows * sizeof *b);
    for (j = 0; j < cols; j++) {
      CHECK_OK(hutano_forecast_values(ens_pred, j, a, rows, &m));
      CHECK_OK(hutano_forecast_values(ens_with, j, b, rows, &m));
      for (i = 0; i < (int)rows; i++) {
        same &= same_double(a[i], b[i]);
      }
      CHECK_OK(hutano_forecast_values(ens_zero, j, b, rows, &m));
      for (i = 0; i < (int)rows; i++) {
        moved |= !same_double(a[i], b[i]);
      }
    }
    CHECK(same && moved);
    free(a);
    free(b);
    CHECK_OK(hutano_forecast_free(ens_pred));
    CHECK_OK(hutano_forecast_free(ens_with));
    CHECK_OK(hutano_forecast_free(ens_zero));
    CHECK_OK(hutano_fitted_free(ens_fit));
    CHECK_OK(hutano_forecaster_free(ens));
  }
  /* Future values: too few at fit time, wrong count, NaN, NULL. */
  CHECK_CODE(hutano_fitted_predict(fitted, REG_H + 1, &level, 1, &missing), HUTANO_RESULT_INVALID_DATA);
  detail_contains("regressor \"planned\" of series \"a\" has 14 future values, h is 15");
  CHECK_CODE(hutano_fitted_predict_with(fitted, REG_H, &level, 1, future, 2 * REG_H - 1, &missing),
             HUTANO_RESULT_LENGTH_MISMATCH);
  future[REG_H + 2] = NAN;
  CHECK_CODE(hutano_fitted_predict_with(fitted, REG_H, &level, 1, future, 2 * REG_H, &missing),
             HUTANO_RESULT_INVALID_DATA);
  detail_contains("future value of regressor \"planned\" for series \"b\" at step 3 is not finite");
  CHECK_CODE(hutano_fitted_predict_with(fitted, REG_H, &level, 1, NULL, 2 * REG_H, &missing),
             HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_fitted_predict_with(fitted, REG_H, &level, 1, zeros, 2 * REG_H, NULL),
             HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_fitted_predict_with(NULL, REG_H, &level, 1, zeros, 2 * REG_H, &missing),
             HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_fitted_predict_with(fitted, 0, &level, 1, zeros, 0, &missing), HUTANO_RESULT_INVALID_PARAMETER);
  CHECK(missing == NULL);

  /* A backtest with the control: one unit per series, model and window. */
  CHECK_OK(hutano_forecaster_cross_validation_with_control(fc, full, 7, 2, 7, &level, 1, control, &missing));
  CHECK_OK(hutano_control_done(control, &n));
  CHECK(n == 2 * 2 + 2 * 2 * 2);
  CHECK_OK(hutano_forecast_shape(missing, &rows, &cols));
  CHECK(rows == 2 * 2 * 7);
  CHECK_OK(hutano_forecast_free(missing));

  CHECK_OK(hutano_forecast_free(pred));
  CHECK_OK(hutano_forecast_free(with));
  CHECK_OK(hutano_forecast_free(zero));
  CHECK_OK(hutano_fitted_free(fitted));
  CHECK_CODE(hutano_fitted_predict_with(fitted, REG_H, &level, 1, zeros, 2 * REG_H, &missing),
             HUTANO_RESULT_INVALID_HANDLE);
  CHECK_OK(hutano_control_free(control));
  CHECK_OK(hutano_forecaster_free(fc));
  CHECK_OK(hutano_panel_free(full));
}

static void *cancel_in_thread(void *arg) {
  hutano_control *control = arg;
  return hutano_control_cancel(control) == HUTANO_RESULT_OK ? control : NULL;
}

static void test_control(hutano_dataset *ds) {
  hutano_table *t = NULL;
  hutano_panel *panel;
  hutano_forecaster *fc = NULL;
  hutano_fitted *fitted = NULL;
  hutano_forecast *cv = NULL;
  hutano_control *control = NULL, *other = NULL;
  pthread_t thread;
  void *ret = NULL;
  size_t n = 99;
  CHECK_OK(hutano_dataset_kpi(ds, S(ADMISSIONS_QUERY), &t));
  panel = panel_from_table(t);
  CHECK_OK(hutano_table_free(t));
  CHECK_OK(hutano_forecaster_new(S(MODELS), true, &fc));

  CHECK_CODE(hutano_control_new(NULL), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_OK(hutano_control_new(&control));
  CHECK_OK(hutano_control_done(control, &n));
  CHECK(n == 0);
  CHECK_CODE(hutano_control_done(control, NULL), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_control_done(NULL, &n), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_control_cancel(NULL), HUTANO_RESULT_NULL_PARAMETER);
  /* A handle of another type is not a control. */
  CHECK_CODE(hutano_control_cancel((const hutano_control *)(const void *)panel), HUTANO_RESULT_INVALID_HANDLE);
  CHECK_CODE(hutano_forecaster_fit_with_control(fc, panel, (const hutano_control *)(const void *)fc, &fitted),
             HUTANO_RESULT_INVALID_HANDLE);
  CHECK_CODE(hutano_forecaster_fit_with_control(fc, panel, NULL, &fitted), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_forecaster_fit_with_control(fc, panel, control, NULL), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_forecaster_fit_with_control(NULL, panel, control, &fitted), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_forecaster_fit_with_control(fc, NULL, control, &fitted), HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_forecaster_cross_validation_with_control(fc, panel, 7, 3, 7, LEVELS, 1, NULL, &cv),
             HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_forecaster_cross_validation_with_control(fc, panel, 7, 3, 7, LEVELS, 1, control, NULL),
             HUTANO_RESULT_NULL_PARAMETER);
  CHECK_CODE(hutano_forecaster_cross_validation_with_control(fc, panel, 0, 3, 7, LEVELS, 1, control, &cv),
             HUTANO_RESULT_INVALID_PARAMETER);

  /* Fit: series x models units. */
  CHECK_OK(hutano_forecaster_fit_with_control(fc, panel, control, &fitted));
  CHECK_OK(hutano_control_done(control, &n));
  CHECK(n == 2 * 2);
  CHECK_OK(hutano_fitted_free(fitted));
  fitted = NULL;

  /* Cancelled from another thread before the call: no output. */
  CHECK(pthread_create(&thread, NULL, cancel_in_thread, control) == 0);
  CHECK(pthread_join(thread, &ret) == 0);
  CHECK(ret == control);
  CHECK_CODE(hutano_forecaster_fit_with_control(fc, panel, control, &fitted), HUTANO_RESULT_CANCELLED);
  CHECK(fitted == NULL);
  CHECK_CODE(hutano_forecaster_cross_validation_with_control(fc, panel, 7, 3, 7, LEVELS, 1, control, &cv),
             HUTANO_RESULT_CANCELLED);
  CHECK(cv == NULL);
  CHECK_OK(hutano_control_done(control, &n));
  CHECK(n == 2 * 2);
  /* Cancelling is sticky, and idempotent. */
  CHECK_OK(hutano_control_cancel(control));
  CHECK_CODE(hutano_forecaster_fit_with_control(fc, panel, control, &fitted), HUTANO_RESULT_CANCELLED);

  /* A fresh control: the backtest's metrics equal the plain call's. */
  CHECK_OK(hutano_control_new(&other));
  CHECK_OK(hutano_forecaster_cross_validation_with_control(fc, panel, 7, 3, 7, LEVELS, 1, other, &cv));
  CHECK_OK(hutano_control_done(other, &n));
  CHECK(n == 2 * 2 * 3);
  {
    hutano_metrics m;
    double v[7];
    CHECK_OK(hutano_forecast_metrics(cv, S("sn"), 7, &m));
    v[0] = m.mase;
    v[1] = m.smape;
    v[2] = m.rmse;
    v[3] = m.mae;
    v[4] = m.bias;
    v[5] = m.pinball;
    v[6] = m.crps;
    check_expected("metrics sn", v, 7);
  }
  CHECK_OK(hutano_forecast_free(cv));
  CHECK_OK(hutano_control_free(other));
  CHECK_OK(hutano_control_free(control));
  CHECK_CODE(hutano_control_free(control), HUTANO_RESULT_INVALID_HANDLE);
  CHECK_CODE(hutano_control_cancel(control), HUTANO_RESULT_INVALID_HANDLE);
  CHECK_CODE(hutano_control_done(control, &n), HUTANO_RESULT_INVALID_HANDLE);
  CHECK_CODE(hutano_forecaster_fit_with_control(fc, panel, control, &fitted), HUTANO_RESULT_INVALID_HANDLE);
  CHECK_OK(hutano_control_free(NULL));
  CHECK_OK(hutano_forecaster_free(fc));
  CHECK_OK(hutano_panel_free(panel));
}

/* Cancelling a fit or a backtest while it runs on another thread: many
 * series of AutoETS, so that the call is usually still running when the
 * main thread, having seen the first unit done, cancels it (the assertion
 * holds either way), while the few units that run to the end keep the test
 * quick under valgrind. */
enum { RUN_SERIES = 48, RUN_DAYS = 56, RUN_WINDOWS = 2 };
static const char RUN_MODELS[] = "[{\"model\": \"auto_ets\", \"season_length\": 1}]";
/* What an output pointer holds until the call writes it. */
static char not_written;

struct running_call {
  const hutano_forecaster *fc;
  const hutano_panel *panel;
  const hutano_control *control;
  int backtest;
  hutano_fitted *fitted;
  hutano_forecast *cv;
  hutano_result rc;
  atomic_int finished;
};

static void *run_call(void *arg) {
  struct running_call *call = arg;
  if (call->backtest) {
    call->rc = hutano_forecaster_cross_validation_with_control(call->fc, call->panel, 7, RUN_WINDOWS, 7, LEVELS, 1,
                                                               call->control, &call->cv);
  } else {
    call->rc = hutano_forecaster_fit_with_control(call->fc, call->panel, call->control, &call->fitted);
  }
  atomic_store(&call->finished, 1);
  return NULL;
}

static void cancel_running_call(int backtest) {
  const struct timespec pause = {0, 100000}; /* 0.1 ms */
  struct running_call call;
  hutano_panel *panel = NULL;
  hutano_forecaster *fc = NULL;
  hutano_control *control = NULL;
  pthread_t thread;
  int64_t ds[RUN_DAYS];
  double y[RUN_DAYS];
  char id[16];
  size_t done = 0, total = (size_t)RUN_SERIES * (backtest ? RUN_WINDOWS : 1);
  int s, i, poll_failed = 0;
  CHECK_OK(hutano_panel_new(HUTANO_FREQ_DAILY, HUTANO_FILL_ERROR, &panel));
  for (s = 0; s < RUN_SERIES; s++) {
    for (i = 0; i < RUN_DAYS; i++) {
      ds[i] = REG_START + (int64_t)i * 86400;
      y[i] = 50.0 + 10.0 * (double)(i % 7) + (double)((i * 7919 + s * 104729) % 97) / 10.0;
    }
    snprintf(id, sizeof id, "s%d", s);
    CHECK_OK(hutano_panel_add_series(panel, id, strlen(id), ds, RUN_DAYS, y, RUN_DAYS));
  }
  CHECK_OK(hutano_forecaster_new(S(RUN_MODELS), true, &fc));
  CHECK_OK(hutano_control_new(&control));
  call.fc = fc;
  call.panel = panel;
  call.control = control;
  call.backtest = backtest;
  call.fitted = (hutano_fitted *)(void *)&not_written;
  call.cv = (hutano_forecast *)(void *)&not_written;
  call.rc = HUTANO_RESULT_OTHER;
  atomic_init(&call.finished, 0);
  CHECK(pthread_create(&thread, NULL, run_call, &call) == 0);
  /* Wait for the first unit (or the end of the call, if it failed early). */
  while (done == 0 && !atomic_load(&call.finished)) {
    nanosleep(&pause, NULL);
    poll_failed |= hutano_control_done(control, &done) != HUTANO_RESULT_OK;
  }
  CHECK(!poll_failed);
  CHECK_OK(hutano_control_cancel(control));
  /* Read after the cancel: if the call still returns OK, every unit was
   * done by now (see hutano_control), so the assertion below holds
   * whatever the interleaving. */
  CHECK_OK(hutano_control_done(control, &done));
  CHECK(pthread_join(thread, NULL) == 0);
  CHECK(done >= 1 && done <= total);
  if (call.rc == HUTANO_RESULT_CANCELLED) {
    /* No output written. */
    CHECK(call.fitted == (hutano_fitted *)(void *)&not_written && call.cv == (hutano_forecast *)(void *)&not_written);
  } else {
    /* Every unit was already done when the cancel came. */
    int freed = backtest ? hutano_forecast_free(call.cv) == HUTANO_RESULT_OK
                         : hutano_fitted_free(call.fitted) == HUTANO_RESULT_OK;
    if (call.rc != HUTANO_RESULT_OK || done != total) {
      fprintf(stderr, "cancelled call returned %u with %zu of %zu units done\n", (unsigned)call.rc, done, total);
    }
    CHECK(call.rc == HUTANO_RESULT_OK && done == total && freed);
  }
  /* Cancelled for good: a later call with this control stops at once. */
  CHECK_CODE(hutano_forecaster_fit_with_control(fc, panel, control, &call.fitted), HUTANO_RESULT_CANCELLED);
  CHECK_OK(hutano_control_free(control));
  CHECK_OK(hutano_forecaster_free(fc));
  CHECK_OK(hutano_panel_free(panel));
}

static void test_cancel_running(void) {
  cancel_running_call(0);
  cancel_running_call(1);
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
  test_calendar();
  test_panel_errors();
  test_forecast(ds);
  test_regressors();
  test_control(ds);
  test_cancel_running();
  test_resources(ds);
  test_census_from_stays();
  {
    hutano_dataset *gen = NULL;
    CHECK_OK(hutano_dataset_generate(S("india"), GEN_SEED, GEN_DAYS, &gen));
    test_alerts(gen, ds);
    test_dataset_plans(gen);
    test_budgeted_plans(gen);
    test_unit_census(gen, ds);
    test_medicine_plan(gen);
    test_monthly_report(gen);
    CHECK_OK(hutano_dataset_free(gen));
  }
  test_json_plans();
  test_json_bed_stays();
  test_threads();
  test_foreign_pointers();
  CHECK_OK(hutano_dataset_free(ds));

  free(expected_text);
  free(site_json);
  free(site_xlsx_json);
  return harness_report();
}
