// ttt/sim/output.hpp: result files. Data (CSV rows, JSON results) hold only results, so their bytes can be
// compared across thread counts, backends and runs; provenance (command line, git revision, seed, backend,
// Real type, configuration hash, date) goes to a separate manifest. Every file is written to a temporary
// name in the same directory and renamed, so a crash never leaves a half-written file under the final name.
#pragma once

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

namespace ttt::sim {

/// Writes `content` to `path` atomically (temp file + fsync + rename). Throws std::runtime_error.
inline void write_file_atomic(const std::string& path, const std::string& content) {
  namespace fs = std::filesystem;
  const fs::path p(path);
  const fs::path tmp = p.parent_path() / (".tmp." + p.filename().string() + "." + std::to_string(::getpid()));
  {
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
    const bool ok = std::fwrite(content.data(), 1, content.size(), f) == content.size() && std::fflush(f) == 0 &&
                    ::fsync(::fileno(f)) == 0;
    std::fclose(f);
    if (!ok) {
      std::remove(tmp.c_str());
      throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
    }
  }
  if (std::rename(tmp.c_str(), p.c_str()) != 0) {
    const std::string e = std::strerror(errno);
    std::remove(tmp.c_str());
    throw std::runtime_error("cannot rename into " + path + ": " + e);
  }
}

/// Creates `dir` (and parents) and checks that a file can be created in it; throws with one clear line.
inline void ensure_writable_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) throw std::runtime_error("cannot create output directory " + dir);
  const std::string probe = dir + "/.write-probe." + std::to_string(::getpid());
  std::FILE* f = std::fopen(probe.c_str(), "wb");
  if (!f) throw std::runtime_error("output directory " + dir + " is not writable: " + std::strerror(errno));
  std::fclose(f);
  std::remove(probe.c_str());
}

/// A CSV table built in memory (numbers with 17 significant digits), written atomically.
class CsvTable {
 public:
  explicit CsvTable(std::vector<std::string> columns) : m_columns(std::move(columns)) {}

  CsvTable& row() {
    m_rows.emplace_back();
    return *this;
  }
  CsvTable& add(double v) {
    char buf[40];
    if (std::isnan(v))
      std::snprintf(buf, sizeof buf, "nan");
    else
      std::snprintf(buf, sizeof buf, "%.17g", v);
    m_rows.back().emplace_back(buf);
    return *this;
  }
  CsvTable& add(const std::string& s) {
    m_rows.back().push_back(s);
    return *this;
  }
  CsvTable& add(const char* s) { return add(std::string(s)); }

  std::string str() const {
    std::ostringstream o;
    for (std::size_t i = 0; i < m_columns.size(); ++i) o << (i ? "," : "") << m_columns[i];
    o << "\n";
    for (const auto& r : m_rows) {
      if (r.size() != m_columns.size()) throw std::logic_error("CsvTable: row width differs from the header");
      for (std::size_t i = 0; i < r.size(); ++i) o << (i ? "," : "") << r[i];
      o << "\n";
    }
    return o.str();
  }
  void write(const std::string& path) const { write_file_atomic(path, str()); }

 private:
  std::vector<std::string> m_columns;
  std::vector<std::vector<std::string>> m_rows;
};

/// FNV-1a 64-bit hash of a configuration string (the configuration hash of manifests and resume keys).
inline std::uint64_t config_hash(const std::string& s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

inline std::string hex64(std::uint64_t v) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

/// UTC time stamp for manifests.
inline std::string utc_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace ttt::sim
