/** A named plug-in registry; registering a name twice is a programming error. */
export class Registry<T> {
  private readonly items = new Map<string, T>();
  constructor(private readonly kind: string) {}

  register(name: string, item: T): void {
    if (this.items.has(name)) throw new Error(`${this.kind} "${name}" is already registered`);
    this.items.set(name, item);
  }

  get(name: string): T | undefined {
    return this.items.get(name);
  }

  require(name: string): T {
    const item = this.items.get(name);
    if (!item) throw new Error(`unknown ${this.kind} "${name}" (known: ${this.names().join(', ')})`);
    return item;
  }

  names(): string[] {
    return [...this.items.keys()];
  }
}
