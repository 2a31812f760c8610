fn main() {
    std::process::exit(posturecam::cli::run(std::env::args_os()));
}
