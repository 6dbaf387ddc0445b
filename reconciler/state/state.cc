#include "reconciler/state/state.h"

namespace podform {

const ResourceState* State::Find(const Address& address) const {
  auto it = resources.find(address);
  return it == resources.end() ? nullptr : &it->second;
}

}  // namespace podform
