// Tests of <ttt/tasks/covariance.hpp>: the diagonal covariances and the test-task placements.
#include <ttt/tasks/covariance.hpp>

#include "support/tolerance.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>

using namespace ttt::tasks;
using ttt::test::roundoff;

TEST_CASE("isotropic, two_level and rank_one have the documented diagonals", "[tasks][covariance]") {
  for (int d = 1; d <= 7; ++d) {
    INFO("d = " << d);
    const auto iso = isotropic<double>(d, 2.5);
    REQUIRE(iso.size() == d);
    CHECK((iso.array() == 2.5).all());
    CHECK((isotropic<double>(d).array() == 1.0).all());

    // `high` on the first ceil(d/2) coordinates, `low` on the rest.
    const auto two = two_level<double>(d, 1.8, 0.2);
    REQUIRE(two.size() == d);
    const int h = (d + 1) / 2;
    for (int i = 0; i < d; ++i) CHECK(two[i] == (i < h ? 1.8 : 0.2));
    // 1.8 / 0.2 has trace d when d is even (THEORY.md 7(h)).
    if (d % 2 == 0) CHECK(std::fabs(two.sum() - d) <= roundoff(d) * d);

    const auto r1 = rank_one<double>(d, 3.0);
    REQUIRE(r1.size() == d);
    CHECK(r1[0] == 3.0);
    CHECK(r1.tail(d - 1).isZero(0));
  }
  CHECK((two_level<float>(4, 1.8f, 0.0f).array() >= 0).all());
}

TEST_CASE("parse_placement accepts the names and aliases and rejects the rest", "[tasks][covariance]") {
  CHECK(parse_placement("all") == Placement::all);
  CHECK(parse_placement("mixed") == Placement::all);
  CHECK(parse_placement("high") == Placement::high_half);
  CHECK(parse_placement("best") == Placement::high_half);
  CHECK(parse_placement("low") == Placement::low_half);
  CHECK(parse_placement("worst") == Placement::low_half);
  CHECK(parse_placement("axis") == Placement::first_axis);
  CHECK(parse_placement("first_axis") == Placement::first_axis);
  CHECK_THROWS_AS(parse_placement(""), std::invalid_argument);
  CHECK_THROWS_AS(parse_placement("High"), std::invalid_argument);
  CHECK_THROWS_AS(parse_placement("diagonal"), std::invalid_argument);
}

TEST_CASE("test_task has squared norm B, spread evenly over its placement", "[tasks][covariance]") {
  const double B = 2.7;
  for (int d = 1; d <= 9; ++d) {
    const int h = (d + 1) / 2;
    for (auto p : {Placement::all, Placement::high_half, Placement::low_half, Placement::first_axis}) {
      INFO("d = " << d << "  placement " << static_cast<int>(p));
      int lo = 0, hi = d;
      if (p == Placement::high_half) hi = h;
      if (p == Placement::low_half) lo = h;
      if (p == Placement::first_axis) hi = 1;
      if (hi <= lo) {  // d = 1 has no low half
        CHECK_THROWS_AS(test_task<double>(d, p, B), std::invalid_argument);
        continue;
      }
      const auto b = test_task<double>(d, p, B);
      REQUIRE(b.size() == d);
      // Support exactly [lo, hi), equal entries sqrt(B / (hi - lo)).
      const double v = std::sqrt(B / (hi - lo));
      for (int i = 0; i < d; ++i) CHECK(b[i] == (i >= lo && i < hi ? v : 0.0));
      CHECK(std::fabs(b.squaredNorm() - B) <= roundoff(d + 2) * B);
    }
  }
  CHECK(test_task<double>(5, Placement::first_axis, 4.0)[0] == 2.0);
  CHECK(test_task<double>(3, Placement::all, 0.0).isZero(0));
}

TEST_CASE("placements sit where the two-level prior puts its variance", "[tasks][covariance]") {
  // With Sb = two_level(d, high, 0): a low-half task lies in the null space of Sb, a high-half task sees
  // only `high`, and a mixed task sees the average of the two levels.
  const int d = 6;
  const double high = 1.8, B = 1.5;
  const auto sb = two_level<double>(d, high, 0.0);
  auto energy = [&](Placement p) {
    const auto b = test_task<double>(d, p, B);
    return b.dot(sb.asDiagonal() * b);
  };
  CHECK(energy(Placement::low_half) == 0.0);
  CHECK(std::fabs(energy(Placement::high_half) - high * B) <= roundoff(2 * d) * high * B);
  CHECK(std::fabs(energy(Placement::all) - 0.5 * high * B) <= roundoff(2 * d) * high * B);
  // rank_one with first_axis: Sb is proportional to beta beta^T.
  const auto b = test_task<double>(d, Placement::first_axis, B);
  const Eigen::MatrixXd sb1 = rank_one<double>(d, 1.0).asDiagonal();
  CHECK((sb1 * B - b * b.transpose()).norm() <= roundoff(4) * B);
}

TEST_CASE("covariance constructors reject bad dimensions and variances", "[tasks][covariance]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_AS(isotropic<double>(0), std::invalid_argument);
  CHECK_THROWS_AS(isotropic<double>(-3), std::invalid_argument);
  CHECK_THROWS_AS(isotropic<double>(3, -1.0), std::invalid_argument);
  CHECK_THROWS_AS(isotropic<double>(3, nan), std::invalid_argument);
  CHECK_THROWS_AS(two_level<double>(0, 1.8, 0.2), std::invalid_argument);
  CHECK_THROWS_AS(two_level<double>(4, -1.0, 0.2), std::invalid_argument);
  CHECK_THROWS_AS(two_level<double>(4, 1.8, nan), std::invalid_argument);
  CHECK_THROWS_AS(rank_one<double>(0), std::invalid_argument);  // would write e_1 past the end
  CHECK_THROWS_AS(rank_one<double>(3, -2.0), std::invalid_argument);
  CHECK_THROWS_AS(test_task<double>(0, Placement::all), std::invalid_argument);
  CHECK_THROWS_AS(test_task<double>(4, Placement::all, -1.0), std::invalid_argument);
  CHECK_THROWS_AS(test_task<double>(4, Placement::all, nan), std::invalid_argument);
  // The boundary values are accepted.
  CHECK_NOTHROW(isotropic<double>(1, 0.0));
  CHECK_NOTHROW(two_level<double>(1, 1.0, 0.0));
  CHECK_NOTHROW(rank_one<double>(1));
  CHECK_NOTHROW(test_task<double>(1, Placement::all, 0.0));
}
