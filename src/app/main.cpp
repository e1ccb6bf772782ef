#include "app/cli.hpp"

int main(int argc, char** argv) { return warden::app::main_cli(argc, argv); }
