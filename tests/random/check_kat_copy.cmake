# Checks that tests/reference/random123_kat_philox4x32.txt holds exactly the philox4x32 rows of the installed
# Random123 known-answer file (whitespace runs compared as one blank). Prints "SKIPPED:" (CTest reports the
# test as skipped) when the system file or gzip is missing.
#   cmake -DSYSTEM_KAT=<kat_vectors.gz> -DCHECKED_IN=<txt> -DGZIP=<gzip> -DWORK=<scratch file> -P check_kat_copy.cmake
if(NOT EXISTS "${SYSTEM_KAT}")
  message("SKIPPED: ${SYSTEM_KAT} is not installed (Debian package librandom123-dev)")
  return()
endif()
if(NOT GZIP)
  message("SKIPPED: no gzip to read ${SYSTEM_KAT}")
  return()
endif()

execute_process(COMMAND "${GZIP}" -dc "${SYSTEM_KAT}" OUTPUT_FILE "${WORK}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gzip -dc ${SYSTEM_KAT} failed: ${rc}")
endif()

function(philox_rows file out)
  file(STRINGS "${file}" rows REGEX "^philox4x32[ \t]")
  set(norm)
  foreach(r IN LISTS rows)
    string(REGEX REPLACE "[ \t]+" " " r "${r}")
    string(STRIP "${r}" r)
    list(APPEND norm "${r}")
  endforeach()
  set(${out} "${norm}" PARENT_SCOPE)
endfunction()

philox_rows("${WORK}" system_rows)
philox_rows("${CHECKED_IN}" our_rows)
file(REMOVE "${WORK}")
list(LENGTH system_rows n_system)
list(LENGTH our_rows n_ours)
if(n_system EQUAL 0)
  message(FATAL_ERROR "no philox4x32 rows in ${SYSTEM_KAT}")
endif()
if(NOT system_rows STREQUAL our_rows)
  string(REPLACE ";" "\n  " s "${system_rows}")
  string(REPLACE ";" "\n  " o "${our_rows}")
  message(FATAL_ERROR "checked-in Philox KAT rows differ from ${SYSTEM_KAT}\nsystem (${n_system}):\n  ${s}\n"
                      "checked in (${n_ours}):\n  ${o}")
endif()
message(STATUS "${n_ours} philox4x32 rows equal those of ${SYSTEM_KAT}")
