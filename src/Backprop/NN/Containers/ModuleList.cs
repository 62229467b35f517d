using System.Collections;
using System.Globalization;

namespace Backprop.NN;

/// <summary>
/// A list of modules whose parameters are registered under their positions ("0.weight", "1.weight"), as
/// torch.nn.ModuleList: hold layers in a list, and write in Forward how they are used.
/// </summary>
/// <typeparam name="T">The modules' type (<see cref="Module"/> for any).</typeparam>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1710:Identifiers should have correct suffix", Justification = "PyTorch's name.")]
public sealed class ModuleList<T> : Module, IReadOnlyList<T>
    where T : Module
{
    private readonly List<T> _modules = [];

    /// <summary>Makes a list of modules.</summary>
    /// <param name="modules">The modules, in order.</param>
    public ModuleList(params T[] modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        foreach (var module in modules)
        {
            Add(module);
        }
    }

    /// <summary>The number of modules.</summary>
    public int Count => _modules.Count;

    /// <summary>The module at a position.</summary>
    /// <param name="index">The position.</param>
    public T this[int index] => _modules[index];

    /// <summary>Appends a module, registered under its position.</summary>
    /// <param name="module">The module.</param>
    /// <returns>This list.</returns>
    public ModuleList<T> Add(T module)
    {
        _modules.Add(RegisterModule(_modules.Count.ToString(CultureInfo.InvariantCulture), module));
        return this;
    }

    /// <inheritdoc/>
    public IEnumerator<T> GetEnumerator() => _modules.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
