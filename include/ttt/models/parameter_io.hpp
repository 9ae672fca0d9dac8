// ttt/models/parameter_io.hpp: named tensors (a model's parameters, optimiser state) in a versioned binary
// file. Layout (host byte order, little-endian on every supported machine):
//   "TTTPARAM" | u32 version = 1 | u32 sizeof(Real) (4: float32, 8: float64)
//   | u32 metadata bytes | metadata (free text, e.g. the configuration and the training step)
//   | u32 tensor count | per tensor: u32 name bytes, name, i64 rows, i64 cols
//   | the tensors' elements, row-major, in the order listed | u64 FNV-1a hash of every byte before it.
// Files are written atomically (a temporary file in the same directory, then rename). Reading a file that is
// not one, of another version or Real type, truncated or corrupted throws std::runtime_error naming the file
// and the problem.
#pragma once

#include <ttt/models/parameters.hpp>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace ttt::models {

constexpr char tensor_file_magic[8] = {'T', 'T', 'T', 'P', 'A', 'R', 'A', 'M'};
constexpr std::uint32_t tensor_file_version = 1;

template <class Real>
struct NamedTensor {
  std::string name;
  Index rows = 0, cols = 0;
  std::vector<Real> data;  // row-major
};

template <class Real>
struct TensorFile {
  std::string metadata;
  std::vector<NamedTensor<Real>> tensors;

  const NamedTensor<Real>* find(const std::string& name) const {
    for (const auto& t : tensors)
      if (t.name == name) return &t;
    return nullptr;
  }
};

namespace detail {

inline std::uint64_t fnv1a(const std::string& bytes) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char ch : bytes) h = (h ^ ch) * 1099511628211ull;
  return h;
}

template <class T>
void put(std::string& out, const T& v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof(T));
}

struct Reader {
  const std::string& bytes;
  std::size_t pos;
  const std::string& path;

  void need(std::size_t n) const {
    if (bytes.size() < pos + n) throw std::runtime_error(path + ": truncated tensor file (ends at byte " + std::to_string(bytes.size()) + ")");
  }
  template <class T>
  T get() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, bytes.data() + pos, sizeof(T));
    pos += sizeof(T);
    return v;
  }
  std::string get_string(std::size_t n) {
    need(n);
    std::string s = bytes.substr(pos, n);
    pos += n;
    return s;
  }
};

}  // namespace detail

/// Writes `file` to `path` atomically.
template <class Real>
void save_tensor_file(const std::string& path, const TensorFile<Real>& file) {
  std::string out(tensor_file_magic, 8);
  detail::put(out, tensor_file_version);
  detail::put(out, static_cast<std::uint32_t>(sizeof(Real)));
  detail::put(out, static_cast<std::uint32_t>(file.metadata.size()));
  out += file.metadata;
  detail::put(out, static_cast<std::uint32_t>(file.tensors.size()));
  for (const auto& t : file.tensors) {
    if (static_cast<Index>(t.data.size()) != t.rows * t.cols)
      throw std::invalid_argument("save_tensor_file: tensor " + t.name + " has the wrong number of elements");
    detail::put(out, static_cast<std::uint32_t>(t.name.size()));
    out += t.name;
    detail::put(out, static_cast<std::int64_t>(t.rows));
    detail::put(out, static_cast<std::int64_t>(t.cols));
  }
  for (const auto& t : file.tensors) out.append(reinterpret_cast<const char*>(t.data.data()), t.data.size() * sizeof(Real));
  detail::put(out, detail::fnv1a(out));

  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) throw std::runtime_error(path + ": cannot open " + tmp + " for writing");
    f.write(out.data(), static_cast<std::streamsize>(out.size()));
    f.flush();
    if (!f) throw std::runtime_error(path + ": write failed");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw std::runtime_error(path + ": cannot rename the temporary file into place");
  }
}

template <class Real>
TensorFile<Real> load_tensor_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error(path + ": cannot open for reading");
  const std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (bytes.size() < 8 || std::memcmp(bytes.data(), tensor_file_magic, 8) != 0)
    throw std::runtime_error(path + ": not a ttt tensor file (bad magic)");
  detail::Reader r{bytes, 8, path};
  const auto version = r.get<std::uint32_t>();
  if (version != tensor_file_version)
    throw std::runtime_error(path + ": tensor file version " + std::to_string(version) + ", this build reads version " +
                             std::to_string(tensor_file_version));
  const auto real_bytes = r.get<std::uint32_t>();
  if (real_bytes != sizeof(Real))
    throw std::runtime_error(path + ": stored as float" + std::to_string(8 * real_bytes) + ", expected float" +
                             std::to_string(8 * sizeof(Real)));
  TensorFile<Real> file;
  file.metadata = r.get_string(r.get<std::uint32_t>());
  const auto count = r.get<std::uint32_t>();
  file.tensors.resize(count);
  for (auto& t : file.tensors) {
    t.name = r.get_string(r.get<std::uint32_t>());
    t.rows = static_cast<Index>(r.get<std::int64_t>());
    t.cols = static_cast<Index>(r.get<std::int64_t>());
    if (t.rows < 0 || t.cols < 0 || t.rows * t.cols > static_cast<Index>(bytes.size()))
      throw std::runtime_error(path + ": corrupted tensor header for " + t.name);
  }
  for (auto& t : file.tensors) {
    const std::size_t n = static_cast<std::size_t>(t.rows * t.cols);
    r.need(n * sizeof(Real));
    t.data.resize(n);
    std::memcpy(t.data.data(), bytes.data() + r.pos, n * sizeof(Real));
    r.pos += n * sizeof(Real);
  }
  const std::size_t body = r.pos;
  const auto stored = r.get<std::uint64_t>();
  if (stored != detail::fnv1a(bytes.substr(0, body))) throw std::runtime_error(path + ": checksum mismatch (corrupted file)");
  if (r.pos != bytes.size()) throw std::runtime_error(path + ": trailing bytes after the checksum");
  return file;
}

/// The tensors of `layout` from `values` (one flat buffer), for a TensorFile.
template <class Real>
void append_parameters(TensorFile<Real>& file, const ParameterLayout& layout, const ColVector<Real>& values,
                       const std::string& prefix = "") {
  for (const ParamTensor& t : layout.tensors())
    file.tensors.push_back({prefix + t.name, t.rows, t.cols,
                            std::vector<Real>(values.data() + t.offset, values.data() + t.offset + t.size())});
}

/// Fills `values` with the tensors of `layout` named prefix + name in `file`; every one must be there with
/// the same shape (other tensors in the file are ignored).
template <class Real>
void extract_parameters(const TensorFile<Real>& file, const ParameterLayout& layout, ColVector<Real>& values,
                        const std::string& path, const std::string& prefix = "") {
  values.resize(layout.size());
  for (const ParamTensor& t : layout.tensors()) {
    const NamedTensor<Real>* s = file.find(prefix + t.name);
    if (!s) throw std::runtime_error(path + ": no tensor " + prefix + t.name + " (another model architecture?)");
    if (s->rows != t.rows || s->cols != t.cols)
      throw std::runtime_error(path + ": tensor " + s->name + " is (" + std::to_string(s->rows) + ", " +
                               std::to_string(s->cols) + ") in the file, (" + std::to_string(t.rows) + ", " +
                               std::to_string(t.cols) + ") in the model");
    std::copy(s->data.begin(), s->data.end(), values.data() + t.offset);
  }
}

template <class Real>
void save_parameters(const std::string& path, const ParameterLayout& layout, const ColVector<Real>& values,
                     const std::string& metadata = "") {
  TensorFile<Real> file;
  file.metadata = metadata;
  append_parameters(file, layout, values);
  save_tensor_file(path, file);
}

/// Loads parameters saved by save_parameters; returns the metadata.
template <class Real>
std::string load_parameters(const std::string& path, const ParameterLayout& layout, ColVector<Real>& values) {
  const TensorFile<Real> file = load_tensor_file<Real>(path);
  extract_parameters(file, layout, values, path);
  return file.metadata;
}

}  // namespace ttt::models
