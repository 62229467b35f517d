using System.Collections;

namespace Backprop.NN;

/// <summary>Modules by name, registered under their names ("encoder.weight"), in insertion order, as torch.nn.ModuleDict.</summary>
/// <typeparam name="T">The modules' type (<see cref="Module"/> for any).</typeparam>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1710:Identifiers should have correct suffix", Justification = "PyTorch's name.")]
public sealed class ModuleDict<T> : Module, IReadOnlyDictionary<string, T>
    where T : Module
{
    private readonly Dictionary<string, T> _modules = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    /// <summary>The number of modules.</summary>
    public int Count => _modules.Count;

    /// <summary>The names, in insertion order.</summary>
    public IEnumerable<string> Keys => _order;

    /// <summary>The modules, in insertion order.</summary>
    public IEnumerable<T> Values => _order.Select(k => _modules[k]);

    /// <summary>The module with a name.</summary>
    /// <param name="key">The name.</param>
    public T this[string key] => _modules.TryGetValue(key, out var module)
        ? module
        : throw new KeyNotFoundException($"ModuleDict: no module is named '{key}'; the names are {string.Join(", ", _order)}.");

    /// <summary>Adds a module under a new name (without dots).</summary>
    /// <param name="key">The name.</param>
    /// <param name="module">The module.</param>
    /// <returns>This dictionary.</returns>
    public ModuleDict<T> Add(string key, T module)
    {
        if (_modules.ContainsKey(key))
        {
            throw new ArgumentException($"ModuleDict: a module is already named '{key}'.", nameof(key));
        }

        _modules[key] = RegisterModule(key, module);
        _order.Add(key);
        return this;
    }

    /// <inheritdoc/>
    public bool ContainsKey(string key) => _modules.ContainsKey(key);

    /// <inheritdoc/>
    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out T value) => _modules.TryGetValue(key, out value);

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, T>> GetEnumerator() => _order.Select(k => new KeyValuePair<string, T>(k, _modules[k])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
