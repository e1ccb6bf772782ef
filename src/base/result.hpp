#pragma once
// Result<T>: a value or an Error (boost::system::result, Boost >= 1.81; std::expected is C++23).

#include "base/error.hpp"

#include <boost/system/result.hpp>

namespace warden::base {

template <class T>
using Result = boost::system::result<T, Error>;

// boost::system::result<T, E>::value() throws through this hook; the data path never calls
// value() on an error (it checks first), so reaching this is a bug.
[[noreturn]] void throw_exception_from_error(const Error& e, const boost::source_location& loc);

}  // namespace warden::base
