from xltools.cli import main

if __name__ == "__main__":  # the usual guard: worker processes import modules, never run them
    main()
