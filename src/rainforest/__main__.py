from rainforest.cli import main

main()
