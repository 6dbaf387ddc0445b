#include <iostream>

#include "cmd/command.h"

int main(int argc, char** argv) {
  return podform::RunCli(argc, argv, std::cout, std::cerr);
}
