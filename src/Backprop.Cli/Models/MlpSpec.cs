using System.Globalization;
using Backprop.NN;

namespace Backprop.Cli.Models;

/// <summary>
/// A multilayer perceptron described by its layer sizes and one hidden activation (--layers, --activation):
/// Linear, activation, …, Linear, as a <see cref="NetworkSpec"/> whose state-dict keys are PyTorch's for the
/// same nn.Sequential ("0.weight", "2.weight", …).
/// </summary>
internal sealed record MlpSpec(int[] Layers, string Activation)
{
    /// <summary>The number of inputs.</summary>
    public int Inputs => Layers[0];

    /// <summary>The number of outputs.</summary>
    public int Outputs => Layers[^1];

    /// <summary>Parses "784,256,128,10" and an activation name, or throws a one-line explanation.</summary>
    public static MlpSpec Parse(string layers, string activation)
    {
        var parts = (layers ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var sizes = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out sizes[i]) || sizes[i] <= 0)
            {
                throw new ArgumentException($"--layers: '{parts[i]}' is not a positive layer size (expected a list like 784,256,128,10).");
            }
        }

        if (sizes.Length < 2)
        {
            throw new ArgumentException($"--layers: '{layers}' needs at least an input and an output size (like 784,10).");
        }

        for (var i = 0; i + 1 < sizes.Length; i++)
        {
            if ((long)sizes[i] * sizes[i + 1] > int.MaxValue)
            {
                throw new ArgumentException($"--layers: the layer {sizes[i]} -> {sizes[i + 1]} would hold {(long)sizes[i] * sizes[i + 1]:N0} weights, more than one tensor can ({int.MaxValue:N0}).");
            }
        }

        return new MlpSpec(sizes, Names.Activation(activation));
    }

    /// <summary>The spec stored in a model file's metadata ("layers", "activation"), if present.</summary>
    public static MlpSpec? FromMetadata(IReadOnlyDictionary<string, string> metadata) =>
        metadata.TryGetValue("layers", out var layers) && metadata.TryGetValue("activation", out var activation)
            ? Parse(layers, activation)
            : null;

    /// <summary>The metadata entries that describe this spec.</summary>
    public IEnumerable<KeyValuePair<string, string>> ToMetadata() =>
    [
        new("layers", LayersText),
        new("activation", Activation),
    ];

    /// <summary>The layer sizes as "784,256,128,10".</summary>
    public string LayersText => string.Join(',', Layers);

    /// <summary>The network in the model file format (Linear, activation, …, Linear), named "784,256,128,10 relu MLP".</summary>
    public NetworkSpec ToNetwork()
    {
        var activation = Names.ActivationLayer(Activation);
        var layers = new List<LayerSpec>();
        for (var i = 0; i < Layers.Length - 1; i++)
        {
            if (i > 0)
            {
                layers.Add(new LayerSpec(activation, [], 0));
            }

            layers.Add(new LayerSpec("Linear", [new(null, Layers[i]), new(null, Layers[i + 1])], 0));
        }

        return new NetworkSpec($"{LayersText} {Activation} MLP", layers);
    }

    /// <summary>A module for an activation name.</summary>
    public static Module<Tensor, Tensor> CreateActivation(string name) => LayerTable.Build(new LayerSpec(Names.ActivationLayer(name), [], 0), Generator.Default);
}
