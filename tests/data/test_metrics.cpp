// Token accuracy, exact match, perplexity, precision / recall / F1 and the confusion matrix checked
// against values worked out by hand (and by scikit-learn's precision_recall_fscore_support).
#include <catch2/catch.hpp>
#include <cmath>

#include "ag/core/error.h"
#include "ag/data/metrics.h"

using namespace ag::data;

TEST_CASE("token accuracy skips padding", "[data][metrics]") {
  const std::vector<int64_t> predicted = {5, 6, 7, 9, 1, 1};
  const std::vector<int64_t> target = {5, 6, 8, 3, 0, 0};
  CHECK(token_accuracy(predicted, target) == Approx(2.0 / 4));
  CHECK(token_accuracy(predicted, target, -100) == Approx(2.0 / 6));
  CHECK(token_accuracy(std::vector<int64_t>{}, std::vector<int64_t>{}) == 0.0);
  CHECK_THROWS_WITH(token_accuracy(predicted, std::vector<int64_t>{1}), Catch::Contains("6 predictions but 1 targets"));
}

TEST_CASE("exact match compares whole sequences", "[data][metrics]") {
  CHECK(exact_match(std::vector<std::string>{"2026-11-21", "2026-11-22"}, {"2026-11-21", "2026-11-21"}) == 0.5);
  CHECK(exact_match(std::vector<std::vector<int64_t>>{{1, 2}, {3}}, {{1, 2}, {3}}) == 1.0);
  CHECK_THROWS_AS(exact_match(std::vector<std::string>{"a"}, {}), ag::Error);
}

TEST_CASE("perplexity is exp of the mean negative log-likelihood", "[data][metrics]") {
  CHECK(perplexity(0.0, 10) == 1.0);
  CHECK(perplexity(10 * std::log(50.0), 10) == Approx(50.0));
  CHECK_THROWS_WITH(perplexity(1.0, 0), Catch::Contains("at least one token"));
}

TEST_CASE("precision, recall and F1, per class, micro and macro", "[data][metrics]") {
  // sklearn: precision_recall_fscore_support([0,0,1,1,2,2], [0,1,1,1,0,3]) per label 0,1,2,3
  const std::vector<int64_t> gold = {0, 0, 1, 1, 2, 2};
  const std::vector<int64_t> predicted = {0, 1, 1, 1, 0, 3};
  const ClassificationReport r = precision_recall_f1(predicted, gold);
  REQUIRE(r.per_class.size() == 4);
  CHECK(r.per_class.at(0).precision == Approx(0.5));
  CHECK(r.per_class.at(0).recall == Approx(0.5));
  CHECK(r.per_class.at(1).precision == Approx(2.0 / 3));
  CHECK(r.per_class.at(1).recall == Approx(1.0));
  CHECK(r.per_class.at(1).f1 == Approx(0.8));
  CHECK(r.per_class.at(2).f1 == 0.0);
  CHECK(r.per_class.at(2).support == 2);
  CHECK(r.per_class.at(3).precision == 0.0);  // predicted but never gold
  CHECK(r.per_class.at(3).support == 0);
  CHECK(r.micro.precision == Approx(0.5));
  CHECK(r.micro.recall == Approx(0.5));
  CHECK(r.micro.f1 == Approx(0.5));
  CHECK(r.macro.precision == Approx((0.5 + 2.0 / 3 + 0 + 0) / 4));
  CHECK(r.macro.recall == Approx((0.5 + 1.0 + 0 + 0) / 4));
  CHECK(r.macro.f1 == Approx((0.5 + 0.8) / 4));
  CHECK_THROWS_AS(precision_recall_f1(predicted, std::vector<int64_t>{1}), ag::Error);
}

TEST_CASE("confusion matrix: rows are the truth, columns the prediction, every class listed", "[data][metrics]") {
  // The data above, in 5 classes: class 4 is neither gold nor predicted, class 2 never predicted.
  const std::vector<int64_t> gold = {0, 0, 1, 1, 2, 2};
  const std::vector<int64_t> predicted = {0, 1, 1, 1, 0, 3};
  const auto m = confusion_matrix(predicted, gold, 5);
  const std::vector<std::vector<int64_t>> expected = {
      {1, 1, 0, 0, 0}, {0, 2, 0, 0, 0}, {1, 0, 0, 1, 0}, {0, 0, 0, 0, 0}, {0, 0, 0, 0, 0}};
  CHECK(m == expected);
  // The diagonal over the row sums gives the recalls precision_recall_f1 reports.
  const ClassificationReport r = precision_recall_f1(predicted, gold);
  CHECK(r.per_class.at(1).recall == Approx(2.0 / 2));
  CHECK(r.per_class.at(0).recall == Approx(1.0 / 2));
  CHECK_THROWS_WITH(confusion_matrix(predicted, gold, 3), Catch::Contains("item 5") && Catch::Contains("[0, 3)"));
  CHECK_THROWS_AS(confusion_matrix(predicted, std::vector<int64_t>{0}, 5), ag::Error);
  CHECK_THROWS_AS(confusion_matrix({}, {}, 0), ag::Error);
}
