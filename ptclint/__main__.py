from ptclint.entry import main

main()
