#include <iostream>

#include "cmd/command.h"
#include "reconciler/util/heap.h"

int main(int argc, char** argv) {
  podform::PreferHugePagesForTheHeap();
  return podform::RunCli(argc, argv, std::cout, std::cerr);
}
