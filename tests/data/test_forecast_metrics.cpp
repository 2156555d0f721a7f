// Forecast accuracy measures checked against values worked out by hand.
#include <catch2/catch.hpp>
#include <cmath>

#include "ag/core/error.h"
#include "ag/data/forecast_metrics.h"

using namespace ag::data;
using V = std::vector<double>;

TEST_CASE("MAE, RMSE and sMAPE of a forecast", "[data][forecast_metrics]") {
  const V actual = {1, 2, 3, 4}, forecast = {2, 2, 1, 4};  // errors -1, 0, 2, 0
  CHECK(mae(actual, forecast) == Approx(3.0 / 4));
  CHECK(rmse(actual, forecast) == Approx(std::sqrt(5.0 / 4)));
  // 200 |y - f| / (|y| + |f|): 200/3, 0, 200*2/4, 0
  CHECK(smape(actual, forecast) == Approx((200.0 / 3 + 100.0) / 4));
  CHECK(smape(V{0, 1}, V{0, 1}) == 0.0);  // y = f = 0 counts 0, not 0/0
  CHECK_THROWS_WITH(mae(actual, V{1}), Catch::Contains("4 actual values but 1 forecasts"));
  CHECK_THROWS_WITH(rmse(V{}, V{}), Catch::Contains("no values"));
}

TEST_CASE("MASE scales the MAE by the in-sample seasonal naive error", "[data][forecast_metrics]") {
  // Season 2: |3-1| + |4-2| + |7-3| + |6-4| over 4 = 2.5
  const V history = {1, 2, 3, 4, 7, 6};
  CHECK(seasonal_naive_mae(history, 2) == Approx(2.5));
  CHECK(mase(V{8, 8}, V{7, 10}, history, 2) == Approx(1.5 / 2.5));
  CHECK_THROWS_WITH(seasonal_naive_mae(history, 6), Catch::Contains("longer than one season"));
  CHECK_THROWS_WITH(mase(V{1}, V{1}, V{1, 2, 1, 2}, 2), Catch::Contains("repeats exactly"));
  // The seasonal naive forecast repeats the last season: 7, 6, 7, 6, 7.
  CHECK(seasonal_naive_forecast(history, 2, 5) == V{7, 6, 7, 6, 7});
  CHECK(seasonal_naive_forecast(history, 3, 4) == V{4, 7, 6, 4});
  const ForecastScores s = score_forecast(V{8, 8}, V{7, 10}, history, 2);
  CHECK(s.mae == Approx(1.5));
  CHECK(s.mase == Approx(0.6));
}

TEST_CASE("pinball loss and interval coverage", "[data][forecast_metrics]") {
  // q = 0.9: under-forecast by 2 costs 0.9*2, over-forecast by 1 costs 0.1*1.
  CHECK(pinball_loss(V{5, 5}, V{3, 6}, 0.9) == Approx((1.8 + 0.1) / 2));
  CHECK(pinball_loss(V{5, 5}, V{3, 6}, 0.5) == Approx(0.5 * mae(V{5, 5}, V{3, 6})));  // half the MAE at the median
  CHECK_THROWS_WITH(pinball_loss(V{1}, V{1}, 1.0), Catch::Contains("must be in (0, 1)"));
  // 1 inside, 2 and 3 on an edge (inside), 4 above, 0 below.
  CHECK(interval_coverage(V{1, 2, 3, 4, 0}, V{0, 2, 1, 1, 1}, V{2, 3, 3, 3, 2}) == Approx(3.0 / 5));
  CHECK_THROWS_AS(interval_coverage(V{1, 2}, V{0, 0}, V{3}), ag::Error);
}
