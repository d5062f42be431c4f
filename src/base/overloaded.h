#pragma once
// Overloaded{lambdas...}: one visitor for std::visit built from a lambda per alternative.

namespace sb {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace sb
