fn main() {
    std::process::exit(mlci::cli::main());
}
