from solo60.cli import main

main()
