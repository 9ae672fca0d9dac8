// ttt/sim/mpi.hpp: Monte Carlo runs distributed over MPI ranks, with results independent of the rank count.
//
// A run of B trial blocks is cut into contiguous block ranges, one per rank (rank r of P gets
// B/P blocks, the first B mod P ranks one more); each rank evaluates its range with run_host (its own
// OpenMP threads), the BlockStats of all ranks are gathered in rank order, which is block order, and merged
// with merge_in_order. Since every block is a pure function of (seed, trials in it) and the merge order is
// the block order, the result has the same bytes for 1, 2, ... ranks and without MPI.
//
// Session is the program-wide switch: it initialises MPI when the process was started by an MPI launcher
// (mpirun / mpiexec / srun set OMPI_COMM_WORLD_SIZE, PMI_SIZE or PMIX_RANK; TTT_MPI=1 forces, TTT_MPI=0
// forbids), installs the engine's BlockDistributor (so every run_host / run_one_step / run_multi_step of
// the process is distributed), and finalises MPI when it goes out of scope. The gather is an allgather:
// every rank holds the whole result, so programs that branch on results keep their ranks in step; only
// rank 0 prints or writes (Session::is_root).
//
// Without TTT_HAVE_MPI (the build found no MPI) this header declares the same Session as a single
// process: rank 0 of 1.
#pragma once

#include <ttt/sim/engine.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#if defined(TTT_HAVE_MPI) && TTT_HAVE_MPI
#include <mpi.h>
#endif

namespace ttt::sim::mpi {

/// Contiguous, balanced block ranges: rank r of `size` gets [first, first + count) of `all` blocks.
inline void block_range(std::uint64_t all, int rank, int size, std::uint64_t& first, std::uint64_t& count) {
  const std::uint64_t p = static_cast<std::uint64_t>(size), r = static_cast<std::uint64_t>(rank);
  const std::uint64_t base = all / p, extra = all % p;
  count = base + (r < extra ? 1 : 0);
  first = r * base + (r < extra ? r : extra);
}

/// Whether the environment says an MPI launcher started this process (TTT_MPI=0/1 overrides).
inline bool launched_by_mpi() {
  if (const char* force = std::getenv("TTT_MPI")) return std::string(force) != "0";
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMI_RANK", "PMIX_RANK", "MPI_LOCALNRANKS"})
    if (std::getenv(v)) return true;
  return false;
}

#if defined(TTT_HAVE_MPI) && TTT_HAVE_MPI

inline constexpr bool compiled_in = true;

/// BlockDistributor over an MPI communicator.
class MpiDistributor final : public BlockDistributor {
 public:
  explicit MpiDistributor(MPI_Comm comm) : m_comm(comm) {
    MPI_Comm_rank(comm, &m_rank);
    MPI_Comm_size(comm, &m_size);
  }

  void range(std::uint64_t all, std::uint64_t& first, std::uint64_t& count) const override {
    block_range(all, m_rank, m_size, first, count);
  }

  void allgather(const void* local, std::size_t local_bytes, void* all_out, std::size_t all_bytes) const override {
    constexpr std::size_t int_max = static_cast<std::size_t>(std::numeric_limits<int>::max());
    if (all_bytes > int_max) throw std::length_error("MPI gather: more than 2^31-1 bytes of block results");
    std::vector<int> counts(static_cast<std::size_t>(m_size)), displs(static_cast<std::size_t>(m_size));
    const int mine = static_cast<int>(local_bytes);
    MPI_Allgather(&mine, 1, MPI_INT, counts.data(), 1, MPI_INT, m_comm);
    std::size_t at = 0;
    for (std::size_t r = 0; r < counts.size(); ++r) {
      displs[r] = static_cast<int>(at);
      at += static_cast<std::size_t>(counts[r]);
    }
    if (at != all_bytes) throw std::logic_error("MPI gather: the ranks' block ranges do not add up");
    // MPI-3 takes a const send buffer; casts keep older headers happy.
    MPI_Allgatherv(const_cast<void*>(local), mine, MPI_BYTE, all_out, counts.data(), displs.data(), MPI_BYTE,
                   m_comm);
  }

  int rank() const { return m_rank; }
  int size() const { return m_size; }

 private:
  MPI_Comm m_comm;
  int m_rank = 0;
  int m_size = 1;
};

/// The process's MPI session (see the file comment). One per process, in main, before any run.
class Session {
 public:
  Session(int& argc, char**& argv) {
    if (!launched_by_mpi()) return;
    int already = 0;
    MPI_Initialized(&already);
    if (!already) {
      int provided = 0;
      MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
      m_owner = true;
    }
    m_dist = new MpiDistributor(MPI_COMM_WORLD);
    m_rank = m_dist->rank();
    m_size = m_dist->size();
    m_previous = block_distributor();
    block_distributor() = m_dist;
  }
  ~Session() {
    if (m_dist) {
      block_distributor() = m_previous;
      delete m_dist;
    }
    int finalized = 0;
    if (m_owner && (MPI_Finalized(&finalized), !finalized)) MPI_Finalize();
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  bool active() const { return m_dist != nullptr; }
  int rank() const { return m_rank; }
  int size() const { return m_size; }
  bool is_root() const { return m_rank == 0; }

  /// True on every rank when `ok` is true on every rank (collective; a plain copy without MPI).
  bool all_ok(bool ok) const {
    if (!m_dist) return ok;
    int v = ok ? 1 : 0, all = 0;
    MPI_Allreduce(&v, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    return all == 1;
  }
  /// Synchronises all ranks (no-op without MPI).
  void barrier() const {
    if (m_dist) MPI_Barrier(MPI_COMM_WORLD);
  }
  /// Sends stdout and stderr of ranks other than 0 to /dev/null: results, progress and error lines are
  /// printed once (every rank runs the same checks on the same input, so rank 0 reports for all).
  void mute_others() const {
    if (m_rank == 0) return;
    if (!std::freopen("/dev/null", "w", stdout) || !std::freopen("/dev/null", "w", stderr)) return;
  }

 private:
  MpiDistributor* m_dist = nullptr;
  const BlockDistributor* m_previous = nullptr;
  bool m_owner = false;
  int m_rank = 0;
  int m_size = 1;
};

#else  // no MPI: one process

inline constexpr bool compiled_in = false;

class Session {
 public:
  Session(int&, char**&) {
    if (std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMI_SIZE") || std::getenv("PMIX_RANK"))
      std::fprintf(stderr, "warning: started by an MPI launcher, but this build has no MPI: every rank runs "
                           "the whole computation\n");
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  bool active() const { return false; }
  int rank() const { return 0; }
  int size() const { return 1; }
  bool is_root() const { return true; }
  bool all_ok(bool ok) const { return ok; }
  void barrier() const {}
  void mute_others() const {}
};

#endif

}  // namespace ttt::sim::mpi
