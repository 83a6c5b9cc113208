from emoguard.cli import main

main()
