using System.Globalization;
using System.Text;

namespace Backprop.NN;

/// <summary>Modules applied one after the other; their parameters are named by position ("0.weight").</summary>
public sealed class Sequential : Module
{
    private readonly List<Module> _layers = [];

    /// <summary>Makes a sequence of modules.</summary>
    /// <param name="layers">The modules, in order.</param>
    public Sequential(params Module[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        foreach (var layer in layers)
        {
            Add(layer);
        }
    }

    /// <summary>The modules, in order.</summary>
    public IReadOnlyList<Module> Layers => _layers;

    /// <summary>Appends a module.</summary>
    /// <param name="layer">The module.</param>
    /// <returns>This sequence.</returns>
    public Sequential Add(Module layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        _layers.Add(RegisterModule(_layers.Count.ToString(CultureInfo.InvariantCulture), layer));
        return this;
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        var x = input;
        foreach (var layer in _layers)
        {
            x = layer.Forward(x);
        }

        return x;
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        var sb = new StringBuilder("Sequential(\n");
        for (var i = 0; i < _layers.Count; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  ({i}): {_layers[i]}\n");
        }

        return sb.Append(')').ToString();
    }
}
