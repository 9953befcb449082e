//! The `notation` command: see the crate documentation of
//! `notation_examples` and `notation --help`.

fn main() {
    let mut console = notation_examples::console::Console::std();
    let code = notation_examples::cli::run(std::env::args_os(), &mut console);
    std::process::exit(code);
}
