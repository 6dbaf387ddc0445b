# Runs PROGRAM with ARGS ("|"-separated) and writes its standard output to
# OUT; fails the build when PROGRAM fails.
string(REPLACE "|" ";" args "${ARGS}")
execute_process(COMMAND ${PROGRAM} ${args} OUTPUT_FILE ${OUT}.tmp
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(REMOVE ${OUT}.tmp)
  message(FATAL_ERROR "${PROGRAM} ${args}: exit ${rc}")
endif()
file(RENAME ${OUT}.tmp ${OUT})
