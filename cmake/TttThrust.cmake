# Thrust and CUDA for the project.
#
# Thrust comes from the CCCL shipped with the CUDA toolkit when present (CUDA 13: <toolkit>/lib64/cmake/thrust),
# otherwise from Debian's libthrust-dev (/usr/share/cmake/thrust). Host code uses the OpenMP device system
# (target ttt_thrust_omp). When nvcc exists (or TTT_ENABLE_CUDA=ON) the CUDA language is enabled and
# ttt_add_thrust_variants() compiles a Thrust source a second time as CUDA.

set(_ttt_thrust_hints)
foreach(_root IN ITEMS $ENV{CUDA_PATH} $ENV{CUDA_HOME} /usr/local/cuda)
  if(_root)
    list(APPEND _ttt_thrust_hints ${_root}/lib64/cmake/thrust ${_root}/lib/cmake/thrust)
  endif()
endforeach()
# AUTO means "nvcc is on PATH": only PATH is searched, so that a build without nvcc on PATH is a host-only
# build even where a toolkit is installed (set TTT_ENABLE_CUDA=ON or CMAKE_CUDA_COMPILER to force CUDA).
find_program(TTT_NVCC nvcc PATHS ENV PATH NO_DEFAULT_PATH)
if(TTT_NVCC)
  get_filename_component(_nvcc_bin ${TTT_NVCC} DIRECTORY)
  get_filename_component(_nvcc_root ${_nvcc_bin} DIRECTORY)
  list(PREPEND _ttt_thrust_hints ${_nvcc_root}/lib64/cmake/thrust)
endif()
find_package(Thrust CONFIG REQUIRED HINTS ${_ttt_thrust_hints} /usr/share/cmake/thrust)
if(NOT TARGET ttt_thrust_omp)
  thrust_create_target(ttt_thrust_omp HOST CPP DEVICE OMP)
endif()
set(Thrust_INCLUDE_DIR_PC "${_THRUST_INCLUDE_DIR}")
message(STATUS "ttt: Thrust ${Thrust_VERSION} from ${Thrust_DIR}")

# CUDA: AUTO enables it when a CUDA compiler works.
set(TTT_HAVE_CUDA OFF)
if(NOT TTT_ENABLE_CUDA STREQUAL "OFF")
  include(CheckLanguage)
  if(TTT_NVCC AND NOT CMAKE_CUDA_COMPILER)
    set(CMAKE_CUDA_COMPILER ${TTT_NVCC})
  endif()
  if(TTT_NVCC OR TTT_ENABLE_CUDA STREQUAL "ON" OR CMAKE_CUDA_COMPILER)
    check_language(CUDA)
  endif()
  if(CMAKE_CUDA_COMPILER)
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES 90)   # Hopper (H100/H200); override with -DCMAKE_CUDA_ARCHITECTURES=...
    endif()
    enable_language(CUDA)
    find_package(CUDAToolkit REQUIRED)
    set(CMAKE_CUDA_STANDARD 17)
    set(CMAKE_CUDA_STANDARD_REQUIRED ON)
    if(NOT TARGET ttt_thrust_cuda)
      thrust_create_target(ttt_thrust_cuda HOST CPP DEVICE CUDA)
    endif()
    set(TTT_HAVE_CUDA ON)
    message(STATUS "ttt: CUDA backend enabled (nvcc ${CMAKE_CUDA_COMPILER_VERSION}, sm_${CMAKE_CUDA_ARCHITECTURES})")
  elseif(TTT_ENABLE_CUDA STREQUAL "ON")
    message(FATAL_ERROR "TTT_ENABLE_CUDA=ON but no working CUDA compiler was found")
  else()
    message(STATUS "ttt: no CUDA compiler; CUDA variants are not built")
  endif()
endif()

# ttt_add_cuda_object(<name> <source.cu>): an object library compiled by nvcc against the CUDA Thrust
# system and the library's headers (device code includes no Eigen). Only when TTT_HAVE_CUDA.
function(ttt_add_cuda_object name)
  add_library(${name} OBJECT ${ARGN})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/include)
  target_link_libraries(${name} PRIVATE ttt_thrust_cuda)
  target_compile_options(${name} PRIVATE $<$<COMPILE_LANGUAGE:CUDA>:--expt-relaxed-constexpr --extended-lambda -diag-suppress=20208>)
  target_compile_definitions(${name} PUBLIC TTT_HAVE_CUDA=1)
  set_target_properties(${name} PROPERTIES POSITION_INDEPENDENT_CODE ON CUDA_SEPARABLE_COMPILATION OFF)
endfunction()
