# What `cmake --install` and the Debian package put in place: the binary,
# its man page and its shell completions. The man page and the completions
# are written by the binary itself from its command definitions (`podform
# manpage`, `podform completion SHELL`), so they list exactly its commands
# and flags. Nothing else (libraries, tests, benchmarks) is installed.
include(GNUInstallDirs)

set(PODFORM_SHARE ${CMAKE_BINARY_DIR}/share)
set(PODFORM_GENERATED)
# podform_generate(OUT ARGS...): OUT (under build/share) is podform ARGS's
# output.
function(podform_generate out)
  string(REPLACE ";" "|" args "${ARGN}")
  add_custom_command(
    OUTPUT ${PODFORM_SHARE}/${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${PODFORM_SHARE}
    COMMAND ${CMAKE_COMMAND} -DPROGRAM=$<TARGET_FILE:podform> "-DARGS=${args}"
            -DOUT=${PODFORM_SHARE}/${out}
            -P ${CMAKE_SOURCE_DIR}/cmake/run_to_file.cmake
    DEPENDS podform ${CMAKE_SOURCE_DIR}/cmake/run_to_file.cmake
    COMMENT "Writing ${out}" VERBATIM)
  set(PODFORM_GENERATED ${PODFORM_GENERATED} ${PODFORM_SHARE}/${out}
      PARENT_SCOPE)
endfunction()
podform_generate(podform.1 manpage)
podform_generate(podform.bash completion bash)
podform_generate(_podform completion zsh)
podform_generate(podform.fish completion fish)
add_custom_target(podform_share ALL DEPENDS ${PODFORM_GENERATED})

install(TARGETS podform RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PODFORM_SHARE}/podform.1
        DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${PODFORM_SHARE}/podform.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME podform)
install(FILES ${PODFORM_SHARE}/_podform
        DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES ${PODFORM_SHARE}/podform.fish
        DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)

# cpack -G DEB (in the build directory): podform_VERSION_ARCH.deb.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME podform)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Declarative reconciler for RunPod network volumes and pods")
set(CPACK_PACKAGE_DESCRIPTION "podform plans and applies RunPod network \
volumes and the pods that mount them from a podform.yaml kept in git, with \
a lock file or PostgreSQL for its state.")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "podform maintainers")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_STRIP_FILES ON)
find_program(DPKG_SHLIBDEPS dpkg-shlibdeps)
if(DPKG_SHLIBDEPS)
  # Depends: from the libraries the binary links, with their versions.
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  # Debian 12's runtime packages of what CMakeLists.txt links.
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "libc6, libstdc++6, libgcc-s1, \
libyaml-cpp0.7, libcurl4, libssl3, libpq5, libabsl20220623, \
libcpp-httplib0.11")
endif()
include(CPack)
