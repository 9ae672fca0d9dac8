// Bad input for every program of the project: each simulation program and each `ttt` subcommand is run
// with a table of bad command lines, in an empty working directory. Each must exit with status 2, print
// exactly one line on stderr and nothing on stdout, and leave no file behind. Every program's --help must
// exit 0 and show an example.
#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <vector>

namespace fs = std::filesystem;

namespace {

struct Result {
  int status;
  std::string out, err;
};

// Runs `cmd` in directory `cwd` (stdout captured, stderr to a file outside cwd).
Result run_in(const fs::path& cwd, const std::string& cmd) {
  const fs::path err = cwd.parent_path() / (cwd.filename().string() + ".stderr");
  const std::string full = "cd '" + cwd.string() + "' && " + cmd + " 2>'" + err.string() + "'";
  Result r{};
  FILE* p = popen(full.c_str(), "r");
  REQUIRE(p != nullptr);
  std::array<char, 4096> buf{};
  std::size_t k;
  while ((k = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), k);
  const int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
  std::ifstream f(err);
  std::stringstream ss;
  ss << f.rdbuf();
  r.err = ss.str();
  fs::remove(err);
  return r;
}

int lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

fs::path fresh_dir(const std::string& tag) {
  const fs::path d = fs::path(TTT_BINARY_DIR) / "tests" / "bad_input_work" / tag;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

bool empty_dir(const fs::path& d) { return fs::is_empty(d); }

const std::vector<std::string> kSimulations = {TTT_SIMULATIONS};

// Bad command lines shared by every simulation program (the program name is prepended).
std::vector<std::string> simulation_bad_inputs(const fs::path& file_not_dir) {
  return {"--threads 0",
          "--threads -1",
          "--threads -2147483648",
          "--threads abc",
          "--threads 1.5",
          "--threads nan",
          "--threads inf",
          "--threads",
          "--seed abc",
          "--seed nan",
          "--seed 1e400",
          "--seed -1",
          "--seed",
          "--out",
          "--out ''",
          "--out /proc/ttt-no-such-dir/out",
          "--out /dev/null/sub",
          "--out '" + file_not_dir.string() + "'",
          "--bogus",
          "-x",
          "stray_positional",
          "--full=2",
          "--resume=maybe",
          "--help-me"};
}

}  // namespace

TEST_CASE("simulation programs reject bad input with one line and status 2", "[cli][robustness]") {
  for (const std::string& bin : kSimulations) {
    const std::string name = fs::path(bin).filename();
    const fs::path cwd = fresh_dir(name);
    const fs::path file_not_dir = cwd.parent_path() / (name + ".a_file");
    std::ofstream(file_not_dir) << "x";
    const auto bad = simulation_bad_inputs(file_not_dir);
    REQUIRE(bad.size() >= 20);
    for (const std::string& args : bad) {
      fs::remove_all(cwd);
      fs::create_directories(cwd);
      const Result r = run_in(cwd, "'" + bin + "' " + args);
      INFO(name << " " << args << " -> status " << r.status << "\nstdout: [" << r.out << "]\nstderr: [" << r.err << "]");
      CHECK(r.status == 2);
      CHECK(lines(r.err) == 1);
      CHECK(r.out.empty());
      CHECK(empty_dir(cwd));
    }
    fs::remove(file_not_dir);
  }
}

TEST_CASE("every program and subcommand has --help with an example", "[cli][robustness]") {
  std::vector<std::string> cmds;
  for (const auto& b : kSimulations) cmds.push_back("'" + b + "' --help");
  for (const char* sub : {"", " theory", " crossing", " mc"}) cmds.push_back(std::string("'") + TTT_CMD + "'" + sub + " --help");
  const fs::path cwd = fresh_dir("help");
  for (const auto& c : cmds) {
    const Result r = run_in(cwd, c);
    INFO(c);
    CHECK(r.status == 0);
    CHECK(r.out.find("Example:") != std::string::npos);
    CHECK(empty_dir(cwd));
  }
}

TEST_CASE("the ttt subcommands reject bad input and write nothing", "[cli][robustness]") {
  const std::string t = std::string("'") + TTT_CMD + "' ";
  const std::vector<std::string> bad = {
      "",  // no subcommand
      "frobnicate",
      "theory",
      "theory --d 40 --n 40 --m 40",
      "theory --d 40 --n 40 --m 40 --init zero --sigma2 nan",
      "theory --d 40 --n 40 --m 40 --init zero --beta-norm2 -inf",
      "crossing --d 0 --n 4",
      "crossing --d 4 --n 4 --form exactish",
      "mc --d 4 --n 4 --m 4 --init zero --eta 0.1 --trials 100000000000000",
      "mc --d 1000000000 --n 4 --m 4 --init zero --eta 0.1 --trials 10",
      "mc --d 4 --n 4 --m 4 --init zero --eta 0.1 --trials 10 --backend cuda --threads 0",
      "mc --d 4 --n 4 --m 4 --init zero --eta -inf --trials 10",
      "mc --d 4 --n 4 --m 4 --init zero --eta 0.1 --trials 10 --block-size 0",
      "mc --d 4 --n 4 --m 4 --init zero --eta 0.1 --trials -5",
      "mc --d 4 --n 4 --m 4 --init zero --eta 0.1 --trials 10 --seed -3",
      "mc --d 4 --n 4 --m 4 --init zero --eta 0.1 --trials 10 extra",
      "mc --d 4 --n 4 --m 4 --init zero --eta 0.1 --trials 10 --json=yes",
      "mc --d 4 --n 4 --m 4 --init zero --eta 0x --trials 10",
      "mc --d 4 --n 4 --m 4 --init zero --eta 0.1 --trials 1e3",
      "mc --d 4 --n 4 --m 4 --init zero --eta 0.1 --trials 10 --threads 2 --threads 3",
  };
  const fs::path cwd = fresh_dir("ttt");
  for (const auto& args : bad) {
    fs::remove_all(cwd);
    fs::create_directories(cwd);
    const Result r = run_in(cwd, t + args);
    INFO("ttt " << args << " -> status " << r.status << "\nstdout: [" << r.out << "]\nstderr: [" << r.err << "]");
    CHECK(r.status == 2);
    CHECK(lines(r.err) == 1);
    CHECK(r.out.empty());
    CHECK(empty_dir(cwd));
  }
}

TEST_CASE("ttt pretrain rejects bad input, including truncated and foreign checkpoints", "[cli][robustness]") {
  const std::string t = std::string("'") + TTT_CMD + "' pretrain ";
  const std::string ok = "--task linreg --d 4 --n 6 --layers 1 --heads 1 --width 8 --batch 4 --steps 3 --threads 1 ";
  const std::vector<std::string> bad = {
      "--task linreg --d 4 --n 6 --steps 3",               // no --out
      "--task images --d 4 --n 6 --steps 3 --out o",
      ok + "--out o --d 0",
      ok + "--out o --d -4",
      ok + "--out o --n 0",
      ok + "--out o --layers 0",
      ok + "--out o --heads 0",
      ok + "--out o --width 6 --heads 4",                 // width not divisible by heads
      ok + "--out o --batch 0",
      ok + "--out o --steps 0",
      ok + "--out o --lr nan",
      ok + "--out o --lr -1",
      ok + "--out o --lr inf",
      ok + "--out o --threads 0",
      ok + "--out o --dtype float16",
      ok + "--out o --sigma2 -1",
      ok + "--out o --seed -2",
      ok + "--out /proc/ttt-no-such-dir/o",
      ok + "--out o --bogus",
      ok + "--out",
      ok + "--out o --json=1",
      ok + "--out o --d 1000000000 --n 1000000000 --width 100000",  // memory estimate far beyond the machine
  };
  REQUIRE(bad.size() >= 20);
  const fs::path cwd = fresh_dir("pretrain");
  for (const auto& args : bad) {
    fs::remove_all(cwd);
    fs::create_directories(cwd);
    const Result r = run_in(cwd, t + args);
    INFO("ttt pretrain " << args << " -> status " << r.status << "\nstdout: [" << r.out << "]\nstderr: [" << r.err << "]");
    CHECK(r.status == 2);
    CHECK(lines(r.err) == 1);
    CHECK(r.out.empty());
    CHECK(empty_dir(cwd));
  }
  // --resume from a truncated or a foreign checkpoint: status 2, and nothing written beside it.
  for (const std::string& content : {std::string("TTTPARAM\x01\0\0\0", 12), std::string("not a checkpoint at all\n")}) {
    fs::remove_all(cwd);
    fs::create_directories(cwd / "o");
    std::ofstream(cwd / "o" / "checkpoint.bin", std::ios::binary) << content;
    const Result r = run_in(cwd, t + ok + "--out o --resume");
    INFO("--resume with a damaged checkpoint -> status " << r.status << ", stderr: " << r.err);
    CHECK(r.status == 2);
    CHECK(lines(r.err) == 1);
    std::vector<std::string> files;
    for (const auto& f : fs::directory_iterator(cwd / "o")) files.push_back(f.path().filename());
    CHECK(files == std::vector<std::string>{"checkpoint.bin"});
  }
}
