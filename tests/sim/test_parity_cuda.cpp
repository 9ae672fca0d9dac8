// CUDA backend parity: the same trial functors on the GPU and on the CPU (OpenMP), and the device's Philox
// against the published Random123 known answers. Built whenever nvcc exists; exits 77 (CTest: skipped)
// when no CUDA device is present.
//
// Tolerance: the device's log/sin/cos differ from glibc's by at most a few ulp, so each normal differs by
// O(1e-16) relative and a trial's outputs by O(k * 1e-16) for k accumulated terms; block means of
// O(10^4)-term trials agree to better than 1e-10 relative. The check uses 1e-9 relative per block
// component (an order of magnitude of margin), and bit-identity for Philox.
#include <ttt/sim/cuda_backend.hpp>

#include <cmath>
#include <cstdio>
#include <cstring>

namespace {

int failures = 0;

void expect(bool ok, const char* what) {
  std::printf("%-60s %s\n", what, ok ? "PASS" : "FAIL");
  failures += ok ? 0 : 1;
}

bool close(double a, double b, double rel) { return std::fabs(a - b) <= rel * std::fmax(1e-300, std::fmax(std::fabs(a), std::fabs(b))); }

}  // namespace

int main() {
  using namespace ttt;
  if (sim::cuda_devices() < 1) {
    std::printf("no CUDA device: skipped\n");
    return 77;
  }
  // Philox known answers (Random123 kat_vectors, philox4x32 10 rounds).
  const std::vector<random::Philox4x32::Counter> c = {{{0, 0, 0, 0}}, {{0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}},
                                                      {{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}}};
  const std::vector<random::Philox4x32::Key> k = {{{0, 0}}, {{0xffffffffu, 0xffffffffu}}, {{0xa4093822u, 0x299f31d0u}}};
  const std::uint32_t want[3][4] = {{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u},
                                    {0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu},
                                    {0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}};
  const auto got = sim::philox_on_device(c, k);
  bool kat = true;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j) kat = kat && got[std::size_t(i)].v[j] == want[i][j];
  expect(kat, "device Philox4x32-10 equals the Random123 known answers");

  const auto dn = sim::normals_on_device(7, 3, random::stream_context_x, 2, 1000);
  double worst = 0;
  for (std::uint32_t i = 0; i < 1000; ++i) {
    const double h = random::NormalRow(7, 3, random::stream_context_x, 2).at(i);
    worst = std::fmax(worst, std::fabs(h - dn[i]) / std::fmax(1.0, std::fabs(h)));
  }
  std::printf("largest device/host normal difference: %.3g\n", worst);
  expect(worst < 1e-13, "device normals equal host normals to 1e-13");

  for (sim::Estimator e : {sim::Estimator::brute, sim::Estimator::conditional, sim::Estimator::reduced}) {
    const auto s = sim::isotropic_setting(40, 40, 40, 0.1, 1.0, 1.0 / 81.1, 5);
    sim::RunConfig cfg;
    cfg.trials = 20000;
    const auto host = sim::run_one_step(s, e, cfg);
    cfg.backend = Backend::cuda;
    const auto dev = sim::run_one_step_cuda(s, e, cfg);
    bool ok = host.result.blocks.size() == dev.result.blocks.size();
    for (std::size_t b = 0; ok && b < host.result.blocks.size(); ++b)
      for (int i = 0; i < 4; ++i) ok = ok && close(host.result.blocks[b].mean[i], dev.result.blocks[b].mean[i], 1e-9);
    const double eta = 5e-5;
    std::printf("%s: host %.15g device %.15g\n", sim::estimator_name(e), host.curve().risk(eta).value, dev.curve().risk(eta).value);
    const std::string what = std::string("GPU and CPU agree block by block to 1e-9 relative (") + sim::estimator_name(e) + ")";
    expect(ok, what.c_str());
  }
  return failures ? 1 : 0;
}
