// Module TerminalUI.
