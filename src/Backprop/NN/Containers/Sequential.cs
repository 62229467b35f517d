using System.Globalization;

namespace Backprop.NN;

/// <summary>Modules applied one after the other; their parameters are named by position ("0.weight").</summary>
public sealed class Sequential : Module<Tensor, Tensor>
{
    private readonly List<Module<Tensor, Tensor>> _layers = [];

    /// <summary>Makes a sequence of modules.</summary>
    /// <param name="layers">The modules, in order.</param>
    public Sequential(params Module<Tensor, Tensor>[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        foreach (var layer in layers)
        {
            Add(layer);
        }
    }

    /// <summary>The modules, in order.</summary>
    public IReadOnlyList<Module<Tensor, Tensor>> Layers => _layers;

    /// <summary>Appends a module.</summary>
    /// <param name="layer">The module.</param>
    /// <returns>This sequence.</returns>
    public Sequential Add(Module<Tensor, Tensor> layer)
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
            x = layer.Call(x);
        }

        return x;
    }
}
