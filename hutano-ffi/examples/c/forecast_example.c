/* hutano from C: load an encounter export with a site document, print the
 * load report, compute daily admissions, forecast them two weeks ahead with
 * 80 % and 95 % intervals, and size the beds for a blocking target.
 *
 * Usage: forecast_example ENCOUNTERS.csv SITE.json
 * (e.g. hutano-ffi/tests/data/encounters.csv hutano-ffi/tests/data/site.json) */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hutano.h"

/* Print the failed call's message and detail, and say so. */
static int failed(const char *what, hutano_result code) {
  char message[128], detail[512];
  size_t n = 0;
  if (code == HUTANO_RESULT_OK) {
    return 0;
  }
  hutano_result_message(code, message, sizeof message, &n);
  hutano_last_error_detail(detail, sizeof detail, &n);
  fprintf(stderr, "%s: %s (%s)\n", what, message, detail);
  return 1;
}

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  char *text;
  long size;
  if (f == NULL) {
    return NULL;
  }
  fseek(f, 0, SEEK_END);
  size = ftell(f);
  fseek(f, 0, SEEK_SET);
  text = malloc((size_t)size + 1);
  if (text != NULL && fread(text, 1, (size_t)size, f) == (size_t)size) {
    text[size] = '\0';
  } else {
    free(text);
    text = NULL;
  }
  fclose(f);
  return text;
}

int main(int argc, char **argv) {
  static const char query[] = "{\"kpi\": \"admissions\", \"start\": \"2024-01-01\", \"end\": \"2024-05-01\", "
                              "\"grain\": \"day\"}";
  /* Any of hutano-forecast's model specs; "auto_arima", "prophet", "boosted", ... fit the same way. */
  static const char models[] = "[[\"weekly\", {\"model\": \"seasonal_naive\", \"season_length\": 7}], "
                               "{\"model\": \"naive\"}]";
  static const double levels[2] = {80.0, 95.0};
  hutano_dataset *ds = NULL;
  hutano_load_report *report = NULL;
  hutano_table *table = NULL;
  hutano_panel *panel = NULL;
  hutano_forecaster *forecaster = NULL;
  hutano_fitted *fitted = NULL;
  hutano_forecast *forecast = NULL;
  hutano_bed_sizing beds;
  uint64_t read = 0, loaded = 0, rejected = 0, i;
  size_t rows = 0, cols = 0, n = 0, j_day = 0, j_adm = 0, j_point = 0, j_lo = 0, j_hi = 0, r;
  int64_t *days = NULL, *stamps = NULL;
  double *admissions = NULL, *point = NULL, *lo = NULL, *hi = NULL;
  char *site;
  char text[256];
  int status = 1;

  if (argc != 3) {
    fprintf(stderr, "usage: %s ENCOUNTERS.csv SITE.json\n", argv[0]);
    return 2;
  }
  site = read_file(argv[2]);
  if (site == NULL) {
    fprintf(stderr, "cannot read %s\n", argv[2]);
    return 2;
  }
  printf("hutano %s\n", hutano_version());

  /* Load, and account for every row. */
  if (failed("load", hutano_dataset_load(argv[1], strlen(argv[1]), site, strlen(site), &ds)) ||
      failed("report", hutano_dataset_load_report(ds, &report)) ||
      failed("counts", hutano_load_report_counts(report, &read, &loaded, &rejected))) {
    goto done;
  }
  printf("rows read %llu, loaded %llu, rejected %llu\n", (unsigned long long)read, (unsigned long long)loaded,
         (unsigned long long)rejected);
  for (i = 0; i < rejected; i++) {
    if (hutano_load_report_reject_message(report, (size_t)i, text, sizeof text, &n) == HUTANO_RESULT_OK) {
      printf("  %s\n", text);
    }
  }

  /* Daily admissions, as arrays. */
  if (failed("kpi", hutano_dataset_kpi(ds, query, sizeof query - 1, &table)) ||
      failed("shape", hutano_table_shape(table, &rows, &cols)) ||
      failed("column", hutano_table_column_index(table, "period_start", 12, &j_day)) ||
      failed("column", hutano_table_column_index(table, "admissions", 10, &j_adm))) {
    goto done;
  }
  days = malloc(rows * sizeof *days);
  admissions = malloc(rows * sizeof *admissions);
  if (days == NULL || admissions == NULL ||
      failed("dates", hutano_table_column_i64(table, j_day, days, rows, &n)) ||
      failed("values", hutano_table_column_f64(table, j_adm, admissions, rows, &n))) {
    goto done;
  }
  for (r = 0; r < rows; r++) {
    days[r] *= 86400; /* days -> seconds since 1970-01-01 */
  }

  /* Fit two models and forecast 14 days with intervals. */
  if (failed("panel", hutano_panel_new(HUTANO_FREQ_DAILY, HUTANO_FILL_ZERO, &panel)) ||
      failed("series", hutano_panel_add_series(panel, "admissions", 10, days, rows, admissions, rows)) ||
      failed("models", hutano_forecaster_new(models, sizeof models - 1, true, &forecaster)) ||
      failed("fit", hutano_forecaster_fit(forecaster, panel, &fitted)) ||
      failed("predict", hutano_fitted_predict(fitted, 14, levels, 2, &forecast)) ||
      failed("shape", hutano_forecast_shape(forecast, &rows, &cols)) ||
      failed("column", hutano_forecast_column_index(forecast, "weekly", 6, &j_point)) ||
      failed("column", hutano_forecast_column_index(forecast, "weekly-lo-80", 12, &j_lo)) ||
      failed("column", hutano_forecast_column_index(forecast, "weekly-hi-80", 12, &j_hi))) {
    goto done;
  }
  stamps = malloc(rows * sizeof *stamps);
  point = malloc(rows * sizeof *point);
  lo = malloc(rows * sizeof *lo);
  hi = malloc(rows * sizeof *hi);
  if (stamps == NULL || point == NULL || lo == NULL || hi == NULL ||
      failed("ds", hutano_forecast_ds(forecast, stamps, rows, &n)) ||
      failed("point", hutano_forecast_values(forecast, j_point, point, rows, &n)) ||
      failed("lo", hutano_forecast_values(forecast, j_lo, lo, rows, &n)) ||
      failed("hi", hutano_forecast_values(forecast, j_hi, hi, rows, &n)) ||
      failed("name", hutano_forecast_column_name(forecast, j_point, text, sizeof text, &n))) {
    goto done;
  }
  printf("%s forecast of daily admissions (80 %% interval):\n", text);
  for (r = 0; r < rows; r++) {
    printf("  day %lld: %.2f [%.2f, %.2f]\n", (long long)(stamps[r] / 86400), point[r], lo[r], hi[r]);
  }

  /* Beds for 1 in 20 patients finding the unit full, at the forecast mean. */
  {
    double mean = 0.0;
    for (r = 0; r < rows; r++) {
      mean += point[r] / (double)rows;
    }
    if (failed("beds", hutano_beds_for_blocking(mean, 3.7, 0.05, &beds))) {
      goto done;
    }
    printf("beds for 5 %% blocking: %u (the 85 %% rule gives %u, which turns away %.1f %%)\n", beds.erlang_beds,
           beds.occupancy_rule_beds, 100.0 * beds.occupancy_rule_blocking);
  }
  status = 0;

done:
  free(days);
  free(admissions);
  free(stamps);
  free(point);
  free(lo);
  free(hi);
  free(site);
  hutano_forecast_free(forecast);
  hutano_fitted_free(fitted);
  hutano_forecaster_free(forecaster);
  hutano_panel_free(panel);
  hutano_table_free(table);
  hutano_load_report_free(report);
  hutano_dataset_free(ds);
  return status;
}
