// Module ProviderSimulator.
