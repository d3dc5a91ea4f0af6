// glibc's malloc took about 40% of the CPU of a large response under load (many small
// allocations across threads); mimalloc is built for that pattern.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    traveler::cli::main().await
}
