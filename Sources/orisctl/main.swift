import ORISBus
