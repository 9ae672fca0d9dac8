"""pip front end of the Python module `ttt`: builds the CMake target ttt_python of the repository (one level up)
for the running interpreter and packages it with python/ttt/__init__.py.

Offline, with Debian's setuptools, pybind11-dev and python3-dev (no build isolation, no downloads):
    python3 -m venv --system-site-packages .venv && . .venv/bin/activate
    pip install --no-build-isolation ./python
Environment: TTT_JOBS (parallel build jobs, default 2), CMAKE (the cmake binary, default cmake).
"""
import os
import pathlib
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent


def version():
    for line in (ROOT / "CMakeLists.txt").read_text().splitlines():
        if line.startswith("project(ttt VERSION"):
            return line.split()[2]
    return "0.0.0"


class CMakeExtension(Extension):
    def __init__(self, name):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        target = pathlib.Path(self.get_ext_fullpath(ext.name)).resolve()
        build = pathlib.Path(self.build_temp).resolve() / "cmake"
        cmake = os.environ.get("CMAKE", "cmake")
        subprocess.check_call([
            cmake, "-S", str(ROOT), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release",
            f"-DPython_EXECUTABLE={sys.executable}", "-DTTT_BUILD_TESTS=OFF", "-DTTT_BUILD_SIMULATIONS=OFF",
            "-DTTT_BUILD_BENCHMARKS=OFF", "-DTTT_ENABLE_CUDA=OFF", "-DTTT_ENABLE_MPI=OFF", "-DTTT_BUILD_PYTHON=ON"])
        subprocess.check_call([cmake, "--build", str(build), "--target", "ttt_python", "-j",
                               os.environ.get("TTT_JOBS", "2")])
        built = list((build / "python" / "ttt").glob("_core*.so"))
        if not built:
            raise RuntimeError("CMake did not build the extension (are pybind11-dev and python3-dev installed?)")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built[0], target)


setup(
    name="ttt",
    version=version(),
    description="One-step test-time training for linear attention: closed forms, Monte Carlo, samplers",
    packages=["ttt"],
    package_dir={"ttt": "ttt"},
    ext_modules=[CMakeExtension("ttt._core")],
    cmdclass={"build_ext": CMakeBuild},
    python_requires=">=3.7",
    install_requires=["numpy"],
    zip_safe=False,
)
