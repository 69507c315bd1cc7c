from ptclint.cli import run_main

run_main()
