# The Windows build's dependencies (scripts/windows-deps.sh built them into
# WARDEN_MINGW_PREFIX): imported targets under the names the layers use on Linux, so no layer's
# CMakeLists knows which platform it is built for. Libraries with a pkg-config file (nghttp2,
# RE2, libidn2) are found through it, in the prefix only.
if(NOT WARDEN_MINGW_PREFIX)
  message(FATAL_ERROR "WARDEN_MINGW_PREFIX is not set: run scripts/windows-deps.sh (make windows)")
endif()
set(ENV{PKG_CONFIG_LIBDIR} "${WARDEN_MINGW_PREFIX}/lib/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")

set(headers ${WARDEN_MINGW_PREFIX}/header-only)
add_library(Boost::headers INTERFACE IMPORTED)
target_include_directories(Boost::headers SYSTEM INTERFACE ${headers})
# Windows 10 APIs (Asio otherwise assumes Windows 7); Asio's socket libraries, which its
# #pragma comment(lib) names only for MSVC.
target_compile_definitions(Boost::headers INTERFACE _WIN32_WINNT=0x0A00 WIN32_LEAN_AND_MEAN NOMINMAX)
target_link_libraries(Boost::headers INTERFACE ws2_32 mswsock)
add_library(fmt::fmt INTERFACE IMPORTED)
target_include_directories(fmt::fmt SYSTEM INTERFACE ${headers})
target_compile_definitions(fmt::fmt INTERFACE FMT_HEADER_ONLY=1)
add_library(spdlog::spdlog INTERFACE IMPORTED)
target_link_libraries(spdlog::spdlog INTERFACE fmt::fmt)
add_library(tomlplusplus::tomlplusplus INTERFACE IMPORTED)
target_include_directories(tomlplusplus::tomlplusplus SYSTEM INTERFACE ${headers})
target_compile_definitions(tomlplusplus::tomlplusplus INTERFACE TOML_HEADER_ONLY=1)
add_library(CLI11::CLI11 INTERFACE IMPORTED)
target_include_directories(CLI11::CLI11 SYSTEM INTERFACE ${headers})

add_library(OpenSSL::Crypto STATIC IMPORTED)
set_target_properties(OpenSSL::Crypto PROPERTIES
  IMPORTED_LOCATION ${WARDEN_MINGW_PREFIX}/lib/libcrypto.a
  INTERFACE_INCLUDE_DIRECTORIES ${WARDEN_MINGW_PREFIX}/include
  INTERFACE_LINK_LIBRARIES "ws2_32;crypt32;gdi32;bcrypt")
add_library(OpenSSL::SSL STATIC IMPORTED)
set_target_properties(OpenSSL::SSL PROPERTIES
  IMPORTED_LOCATION ${WARDEN_MINGW_PREFIX}/lib/libssl.a
  INTERFACE_LINK_LIBRARIES OpenSSL::Crypto)

# GoogleTest from Debian's source, built with the tests (no installed MinGW package exists); it
# defines the GTest:: targets itself.
set(gtest_force_shared_crt OFF CACHE BOOL "" FORCE)
set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
add_subdirectory(${WARDEN_MINGW_PREFIX}/src/googletest ${CMAKE_BINARY_DIR}/googletest EXCLUDE_FROM_ALL)
# Static libraries whose headers default to dllimport otherwise.
add_compile_definitions(NGHTTP2_STATICLIB IDN2_STATIC)
# A static exe: nothing to ship beside it but WinDivert's signed DLL and driver.
add_link_options(-static -static-libgcc -static-libstdc++)
