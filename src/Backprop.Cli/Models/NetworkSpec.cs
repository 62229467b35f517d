using Backprop.NN;

namespace Backprop.Cli.Models;

/// <summary>
/// A model's architecture as a model file describes it (<see cref="ModelText"/>): its layers, what it takes
/// and gives, and how to build it. The text travels in the trained model's metadata ("model"), so that eval,
/// predict and export rebuild the same network with no options.
/// </summary>
internal sealed record NetworkSpec(string Name, IReadOnlyList<LayerSpec> Layers)
{
    /// <summary>The canonical text of the layers.</summary>
    public string Text => ModelText.Format(Layers);

    /// <summary>The features of one input row the network takes (an Unflatten's product, a Linear's inputs), or −1 when its first layer does not say.</summary>
    public int Inputs => Layers[0] switch
    {
        { Name: "Unflatten" } u => new LayerArguments(u, ["dim", "unflattened_size"]).Sizes("unflattened_size").Aggregate(1, (p, d) => p * d),
        { Name: "Linear" } l => new LayerArguments(l, ["in_features", "out_features", "bias"]).Whole("in_features"),
        _ => -1,
    };

    /// <summary>The outputs (classes): the out_features of the last Linear, with only activations and dropout after it; −1 when the network does not end so.</summary>
    public int Outputs
    {
        get
        {
            for (var i = Layers.Count - 1; i >= 0; i--)
            {
                var layer = Layers[i];
                if (layer.Name == "Linear")
                {
                    return new LayerArguments(layer, ["in_features", "out_features", "bias"]).Whole("out_features");
                }

                if (layer.Name is not ("ReLU" or "LeakyReLU" or "Sigmoid" or "Tanh" or "GELU" or "Softmax" or "LogSoftmax" or "Dropout"))
                {
                    return -1;
                }
            }

            return -1;
        }
    }

    /// <summary>Reads a model file's text, from <paramref name="source"/> (a path or a preset name, for messages).</summary>
    public static NetworkSpec Parse(string name, string text, string source)
    {
        try
        {
            var spec = new NetworkSpec(name, ModelText.Parse(text, source));
            _ = spec.ParameterShapes().ToList();
            return spec;
        }
        catch (FormatException e) when (!e.Message.StartsWith(source, StringComparison.Ordinal))
        {
            throw new FormatException($"{source}, {e.Message}", e);
        }
    }

    /// <summary>
    /// The spec with an Unflatten in front when the data gives flat rows of <paramref name="features"/> and the
    /// first layer is a convolution: Conv2d(C, …) gets square images [C, s, s], Conv1d(C, …) sequences [C, features/C].
    /// </summary>
    public NetworkSpec ForFlatInputs(int features)
    {
        var first = Layers[0];
        if (first.Name is not ("Conv2d" or "Conv1d"))
        {
            return this;
        }

        var channels = new LayerArguments(first, LayerTable.ConvArgumentNames).Whole("in_channels");
        object[] sizes;
        if (first.Name == "Conv1d" && features % channels == 0)
        {
            sizes = [channels, features / channels];
        }
        else if (features % channels == 0 && Math.Sqrt(features / channels) is var side && side == Math.Floor(side))
        {
            sizes = [channels, (int)side, (int)side];
        }
        else
        {
            throw new FormatException($"{Name}: the data has {features} features per sample, which are not {channels}-channel square images for {first.Name}({channels}, …); start the model with Unflatten(1, (C, H, W)) to say how they are laid out.");
        }

        return this with { Layers = [new LayerSpec("Unflatten", [new(null, 1), new(null, sizes)], 0), .. Layers] };
    }

    /// <summary>The state-dict keys and shapes, known without building the network.</summary>
    public IEnumerable<(string Key, int[] Shape)> ParameterShapes() => LayerTable.Shapes(Layers);

    /// <summary>Builds the network with PyTorch's default initialisation from <paramref name="generator"/> (<paramref name="batchNorm"/> standing in for each BatchNorm layer, when given).</summary>
    public Sequential Build(Generator generator, Func<BatchNormBase, Module<Tensor, Tensor>>? batchNorm = null) => LayerTable.BuildAll(Layers, generator, batchNorm);

    /// <summary>The metadata entries that describe this spec.</summary>
    public IEnumerable<KeyValuePair<string, string>> ToMetadata() => [new("model", Text), new("model_name", Name)];

    /// <summary>The spec stored in a model file's metadata ("model", with "model_name"), if present.</summary>
    public static NetworkSpec? FromMetadata(IReadOnlyDictionary<string, string> metadata, string path) =>
        metadata.TryGetValue("model", out var text) ? Parse(metadata.GetValueOrDefault("model_name", "model"), text, $"{path} (its metadata's model)") : null;
}
