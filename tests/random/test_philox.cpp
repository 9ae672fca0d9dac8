// Tests of <ttt/random/philox.hpp>: Philox4x32-R against Random123's published known-answer vectors
// (tests/reference/random123_kat_philox4x32.txt) and, when Random123's headers are installed, against
// Random123 itself on random counters and keys.
#include <ttt/random/philox.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#if __has_include(<Random123/philox.h>)
#include <Random123/philox.h>
#define TTT_TEST_HAVE_RANDOM123 1
#else
#define TTT_TEST_HAVE_RANDOM123 0
#endif

using ttt::random::Philox4x32;

namespace {

struct KatRow {
  int rounds;
  Philox4x32::Counter ctr;
  Philox4x32::Key key;
  Philox4x32::Counter expected;
  std::string text;
};

// Rows "philox4x32 R c0 c1 c2 c3 k0 k1 o0 o1 o2 o3" (hex words); '#' starts a comment line.
std::vector<KatRow> read_kat(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::vector<KatRow> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream is(line);
    std::string name;
    KatRow r{};
    is >> name >> std::dec >> r.rounds >> std::hex;
    for (auto& w : r.ctr.v) is >> w;
    for (auto& w : r.key.v) is >> w;
    for (auto& w : r.expected.v) is >> w;
    if (!is || name != "philox4x32") throw std::runtime_error("malformed KAT row: " + line);
    r.text = line;
    rows.push_back(r);
  }
  return rows;
}

template <int R>
Philox4x32::Counter apply_r(const Philox4x32::Counter& c, const Philox4x32::Key& k) {
  return Philox4x32::apply<R>(c, k);
}

Philox4x32::Counter apply_rounds(int rounds, const Philox4x32::Counter& c, const Philox4x32::Key& k) {
  switch (rounds) {
    case 7: return apply_r<7>(c, k);
    case 10: return apply_r<10>(c, k);
    default: throw std::runtime_error("no instantiation for " + std::to_string(rounds) + " rounds");
  }
}

bool same(const Philox4x32::Counter& a, const Philox4x32::Counter& b) {
  return a.v[0] == b.v[0] && a.v[1] == b.v[1] && a.v[2] == b.v[2] && a.v[3] == b.v[3];
}

}  // namespace

TEST_CASE("Philox4x32 reproduces Random123's known-answer vectors (7 and 10 rounds)", "[random][philox]") {
  const auto rows = read_kat(std::string(TTT_TEST_DATA_DIR) + "/random123_kat_philox4x32.txt");
  // Random123 publishes three rows per round count: zero, all-ones and pi-digit counters and keys.
  int n7 = 0, n10 = 0;
  for (const auto& r : rows) {
    n7 += r.rounds == 7;
    n10 += r.rounds == 10;
  }
  REQUIRE(n7 == 3);
  REQUIRE(n10 == 3);
  for (const auto& r : rows) {
    INFO(r.text);
    const auto out = apply_rounds(r.rounds, r.ctr, r.key);
    CHECK(out.v[0] == r.expected.v[0]);
    CHECK(out.v[1] == r.expected.v[1]);
    CHECK(out.v[2] == r.expected.v[2]);
    CHECK(out.v[3] == r.expected.v[3]);
  }
}

TEST_CASE("Philox4x32::apply defaults to 10 rounds", "[random][philox]") {
  const Philox4x32::Counter c{{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}};
  const Philox4x32::Key k{{0xa4093822u, 0x299f31d0u}};
  CHECK(same(Philox4x32::apply(c, k), Philox4x32::apply<10>(c, k)));
  CHECK_FALSE(same(Philox4x32::apply<7>(c, k), Philox4x32::apply<10>(c, k)));
}

TEST_CASE("Philox4x32 state is plain data (copyable to a device as raw words)", "[random][philox]") {
  STATIC_REQUIRE(std::is_trivially_copyable<Philox4x32::Counter>::value);
  STATIC_REQUIRE(std::is_trivially_copyable<Philox4x32::Key>::value);
  STATIC_REQUIRE(sizeof(Philox4x32::Counter) == 16);
  STATIC_REQUIRE(sizeof(Philox4x32::Key) == 8);
}

TEST_CASE("Philox4x32 changes every output word when one input bit flips", "[random][philox]") {
  // A bijection of the counter for each key: distinct counters give distinct outputs, and a one-bit change
  // of counter or key flips about half of the 128 output bits (avalanche after 10 rounds). Over 96 flips
  // the mean number of flipped bits is 64 with sd 5.66/sqrt(96) = 0.58 for an ideal mixer; 5 sd is 2.9.
  const Philox4x32::Counter c{{0x01234567u, 0x89abcdefu, 0xdeadbeefu, 0x0badf00du}};
  const Philox4x32::Key k{{0x13579bdfu, 0x2468ace0u}};
  const auto base = Philox4x32::apply(c, k);
  auto popcount = [](std::uint32_t x) {
    int n = 0;
    for (; x; x &= x - 1) ++n;
    return n;
  };
  double total = 0;
  int flips = 0;
  for (int word = 0; word < 6; ++word) {
    for (int bit = 0; bit < 32; bit += 2) {
      auto c2 = c;
      auto k2 = k;
      if (word < 4) c2.v[word] ^= 1u << bit;
      else k2.v[word - 4] ^= 1u << bit;
      const auto out = Philox4x32::apply(c2, k2);
      int changed = 0;
      for (int j = 0; j < 4; ++j) {
        CHECK(out.v[j] != base.v[j]);
        changed += popcount(out.v[j] ^ base.v[j]);
      }
      total += changed;
      ++flips;
    }
  }
  const double mean = total / flips;
  const double se = std::sqrt(128 * 0.25 / flips);
  CHECK(std::fabs(mean - 64.0) <= 5 * se);
}

#if TTT_TEST_HAVE_RANDOM123
namespace {
template <int R>
void compare_with_random123(std::mt19937& gen, int count) {
  r123::Philox4x32_R<R> reference;
  for (int i = 0; i < count; ++i) {
    Philox4x32::Counter c;
    Philox4x32::Key k;
    typename r123::Philox4x32_R<R>::ctr_type rc;
    typename r123::Philox4x32_R<R>::key_type rk;
    for (int j = 0; j < 4; ++j) rc.v[j] = c.v[j] = static_cast<std::uint32_t>(gen());
    for (int j = 0; j < 2; ++j) rk.v[j] = k.v[j] = static_cast<std::uint32_t>(gen());
    const auto ours = Philox4x32::apply<R>(c, k);
    const auto theirs = reference(rc, rk);
    if (ours.v[0] != theirs.v[0] || ours.v[1] != theirs.v[1] || ours.v[2] != theirs.v[2] ||
        ours.v[3] != theirs.v[3]) {
      FAIL_CHECK("R = " << R << " differs from Random123 at sample " << i);
      return;
    }
  }
  SUCCEED("R = " << R << ": " << count << " random (counter, key) pairs agree");
}
}  // namespace

TEST_CASE("Philox4x32-R equals Random123's philox4x32_R on random inputs", "[random][philox]") {
  STATIC_REQUIRE(Philox4x32::M0 == PHILOX_M4x32_0);
  STATIC_REQUIRE(Philox4x32::M1 == PHILOX_M4x32_1);
  STATIC_REQUIRE(Philox4x32::W0 == PHILOX_W32_0);
  STATIC_REQUIRE(Philox4x32::W1 == PHILOX_W32_1);
  std::mt19937 gen(20250311u);
  compare_with_random123<1>(gen, 10000);
  compare_with_random123<7>(gen, 100000);
  compare_with_random123<10>(gen, 100000);
  compare_with_random123<16>(gen, 10000);
}
#endif
