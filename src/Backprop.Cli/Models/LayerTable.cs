using Backprop.NN;

namespace Backprop.Cli.Models;

/// <summary>
/// The layers a model file may name, with PyTorch's class names, argument names and defaults: how to
/// build each, and the shapes of its parameters and buffers (known without building it, so that a model
/// file's metadata is checked against its tensors before anything is allocated).
/// </summary>
internal static class LayerTable
{
    private sealed record Entry(string[] Names, Func<LayerArguments, Generator, Module<Tensor, Tensor>> Build, Func<LayerArguments, IEnumerable<(string Key, int[] Shape)>>? Shapes = null);

    /// <summary>The arguments of Conv1d and Conv2d, in PyTorch's order.</summary>
    public static readonly string[] ConvArgumentNames = ["in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias", "padding_mode"];
    private static readonly string[] NormNames = ["num_features", "eps", "momentum", "affine", "track_running_stats"];

    private static readonly Dictionary<string, Entry> Entries = new(StringComparer.Ordinal)
    {
        ["Linear"] = new(["in_features", "out_features", "bias"], (a, g) => new Linear(a.Whole("in_features"), a.Whole("out_features"), a.Flag("bias", true), g),
            a => WeightAndBias([a.Whole("out_features"), a.Whole("in_features")], a.Whole("out_features"), a.Flag("bias", true))),
        ["Conv2d"] = new(ConvArgumentNames, (a, g) => new Conv2d(a.Whole("in_channels"), a.Whole("out_channels"), a.Pair("kernel_size"), a.Pair("stride", 1), a.Padding("padding"), a.Pair("dilation", 1), a.Whole("groups", 1), a.Flag("bias", true), PaddingMode(a), g),
            a => WeightAndBias([a.Whole("out_channels"), a.Whole("in_channels") / Math.Max(1, a.Whole("groups", 1)), a.Pair("kernel_size").H, a.Pair("kernel_size").W], a.Whole("out_channels"), a.Flag("bias", true))),
        ["Conv1d"] = new(ConvArgumentNames, (a, g) => new Conv1d(a.Whole("in_channels"), a.Whole("out_channels"), a.Whole("kernel_size"), a.Whole("stride", 1), a.Padding("padding"), a.Whole("dilation", 1), a.Whole("groups", 1), a.Flag("bias", true), PaddingMode(a), g),
            a => WeightAndBias([a.Whole("out_channels"), a.Whole("in_channels") / Math.Max(1, a.Whole("groups", 1)), a.Whole("kernel_size")], a.Whole("out_channels"), a.Flag("bias", true))),
        ["ConvTranspose2d"] = new(["in_channels", "out_channels", "kernel_size", "stride", "padding", "output_padding", "groups", "bias", "dilation"],
            (a, g) => new ConvTranspose2d(a.Whole("in_channels"), a.Whole("out_channels"), a.Pair("kernel_size"), a.Pair("stride", 1), a.Pair("padding", 0), a.Pair("output_padding", 0), a.Whole("groups", 1), a.Flag("bias", true), a.Pair("dilation", 1), g),
            a => WeightAndBias([a.Whole("in_channels"), a.Whole("out_channels") / Math.Max(1, a.Whole("groups", 1)), a.Pair("kernel_size").H, a.Pair("kernel_size").W], a.Whole("out_channels"), a.Flag("bias", true))),
        ["MaxPool2d"] = new(["kernel_size", "stride", "padding", "dilation", "ceil_mode"], (a, _) => new MaxPool2d(a.Pair("kernel_size"), a.NullablePair("stride"), a.Pair("padding", 0), a.Pair("dilation", 1), a.Flag("ceil_mode", false))),
        ["AvgPool2d"] = new(["kernel_size", "stride", "padding", "ceil_mode", "count_include_pad"], (a, _) => new AvgPool2d(a.Pair("kernel_size"), a.NullablePair("stride"), a.Pair("padding", 0), a.Flag("ceil_mode", false), a.Flag("count_include_pad", true))),
        ["AdaptiveAvgPool2d"] = new(["output_size"], (a, _) => new AdaptiveAvgPool2d(a.Pair("output_size"))),
        ["AdaptiveMaxPool2d"] = new(["output_size"], (a, _) => new AdaptiveMaxPool2d(a.Pair("output_size"))),
        ["BatchNorm1d"] = new(NormNames, (a, _) => new BatchNorm1d(a.Whole("num_features"), a.Number("eps", 1e-5), a.NullableNumber("momentum", 0.1), a.Flag("affine", true), a.Flag("track_running_stats", true)), BatchNormShapes),
        ["BatchNorm2d"] = new(NormNames, (a, _) => new BatchNorm2d(a.Whole("num_features"), a.Number("eps", 1e-5), a.NullableNumber("momentum", 0.1), a.Flag("affine", true), a.Flag("track_running_stats", true)), BatchNormShapes),
        ["LayerNorm"] = new(["normalized_shape", "eps", "elementwise_affine", "bias"], (a, _) => new LayerNorm(a.Sizes("normalized_shape"), a.Number("eps", 1e-5), a.Flag("elementwise_affine", true), a.Flag("bias", true)),
            a => a.Flag("elementwise_affine", true) ? WeightAndBias(a.Sizes("normalized_shape"), a.Sizes("normalized_shape"), a.Flag("bias", true)) : []),
        ["GroupNorm"] = new(["num_groups", "num_channels", "eps", "affine"], (a, _) => new GroupNorm(a.Whole("num_groups"), a.Whole("num_channels"), a.Number("eps", 1e-5), a.Flag("affine", true)),
            a => a.Flag("affine", true) ? WeightAndBias([a.Whole("num_channels")], a.Whole("num_channels"), true) : []),
        ["Upsample"] = new(["size", "scale_factor", "mode", "align_corners"], (a, _) => new Upsample(a.NullablePair("size"), a.NullableNumber("scale_factor", null), UpsampleModeOf(a), a.Flag("align_corners", false))),
        ["ReLU"] = new(["inplace"], (_, _) => new ReLU()),
        ["LeakyReLU"] = new(["negative_slope", "inplace"], (a, _) => new LeakyReLU((float)a.Number("negative_slope", 0.01))),
        ["Sigmoid"] = new([], (_, _) => new Sigmoid()),
        ["Tanh"] = new([], (_, _) => new Tanh()),
        ["GELU"] = new([], (_, _) => new GELU()),
        ["Softmax"] = new(["dim"], (a, _) => new Softmax(a.Whole("dim", -1))),
        ["LogSoftmax"] = new(["dim"], (a, _) => new LogSoftmax(a.Whole("dim", -1))),
        ["Flatten"] = new(["start_dim", "end_dim"], (a, _) => new Flatten(a.Whole("start_dim", 1), a.Whole("end_dim", -1))),
        ["Unflatten"] = new(["dim", "unflattened_size"], (a, _) => new Unflatten(a.Whole("dim"), a.Sizes("unflattened_size"))),
        ["Dropout"] = new(["p", "inplace"], (a, g) => new Dropout((float)a.Number("p", 0.5), g)),
        ["Dropout2d"] = new(["p", "inplace"], (a, g) => new Dropout2d((float)a.Number("p", 0.5), g)),
    };

    /// <summary>The layer names a model file may use.</summary>
    public static IEnumerable<string> Names => Entries.Keys;

    /// <summary>
    /// Builds one layer (a Residual block with its body and shortcut); <paramref name="batchNorm"/>, when given,
    /// stands in for each BatchNorm layer built (the distributed run's SyncBatchNorm).
    /// </summary>
    public static Module<Tensor, Tensor> Build(LayerSpec layer, Generator generator, Func<BatchNormBase, Module<Tensor, Tensor>>? batchNorm = null)
    {
        if (layer.Body is not null)
        {
            return new Residual(BuildAll(layer.Body, generator, batchNorm), layer.Shortcut is null ? null : BuildAll(layer.Shortcut, generator, batchNorm));
        }

        var (entry, arguments) = Bind(layer);
        try
        {
            var built = entry.Build(arguments, generator);
            return built is BatchNormBase norm && batchNorm is not null ? batchNorm(norm) : built;
        }
        catch (ArgumentException e)
        {
            throw arguments.Error("cannot be built: " + e.Message.TrimEnd('.'));
        }
    }

    /// <summary>The layers in a Sequential, keyed "0", "1", … as PyTorch keys nn.Sequential.</summary>
    public static Sequential BuildAll(IReadOnlyList<LayerSpec> layers, Generator generator, Func<BatchNormBase, Module<Tensor, Tensor>>? batchNorm = null)
    {
        var model = new Sequential();
        foreach (var layer in layers)
        {
            model.Add(Build(layer, generator, batchNorm));
        }

        return model;
    }

    /// <summary>The state-dict keys and shapes of <paramref name="layers"/> under <paramref name="prefix"/>, without building them.</summary>
    public static IEnumerable<(string Key, int[] Shape)> Shapes(IReadOnlyList<LayerSpec> layers, string prefix = "")
    {
        for (var i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            var name = $"{prefix}{i}.";
            if (layer.Body is not null)
            {
                foreach (var entry in Shapes(layer.Body, name + "body.").Concat(layer.Shortcut is null ? [] : Shapes(layer.Shortcut, name + "shortcut.")))
                {
                    yield return entry;
                }

                continue;
            }

            var (table, arguments) = Bind(layer);
            foreach (var (key, shape) in table.Shapes?.Invoke(arguments) ?? [])
            {
                yield return (name + key, shape);
            }
        }
    }

    private static (Entry Entry, LayerArguments Arguments) Bind(LayerSpec layer)
    {
        if (!Entries.TryGetValue(layer.Name, out var entry))
        {
            var near = Entries.Keys.FirstOrDefault(k => k.Equals(layer.Name, StringComparison.OrdinalIgnoreCase));
            throw new FormatException($"line {layer.Line}: '{layer.Name}' is not a layer Backprop knows{(near is null ? string.Empty : $" (did you mean {near}?)")}; the layers are {string.Join(", ", Entries.Keys)}, and Residual( blocks.");
        }

        return (entry, new LayerArguments(layer, entry.Names));
    }

    private static PadMode PaddingMode(LayerArguments a) => a.Text("padding_mode", "zeros") switch
    {
        "zeros" => PadMode.Constant,
        "reflect" => PadMode.Reflect,
        "replicate" => PadMode.Replicate,
        "circular" => PadMode.Circular,
        var other => throw a.Error($"padding_mode '{other}' is not 'zeros', 'reflect', 'replicate' or 'circular'"),
    };

    private static UpsampleMode UpsampleModeOf(LayerArguments a) => a.Text("mode", "nearest") switch
    {
        "nearest" => UpsampleMode.Nearest,
        "bilinear" => UpsampleMode.Bilinear,
        var other => throw a.Error($"mode '{other}' is not 'nearest' or 'bilinear'"),
    };

    private static IEnumerable<(string, int[])> WeightAndBias(int[] weight, int outputs, bool bias) => WeightAndBias(weight, [outputs], bias);

    private static IEnumerable<(string, int[])> WeightAndBias(int[] weight, int[] biasShape, bool bias) =>
        bias ? [("weight", weight), ("bias", biasShape)] : [("weight", weight)];

    private static IEnumerable<(string, int[])> BatchNormShapes(LayerArguments a)
    {
        var c = a.Whole("num_features");
        return (a.Flag("affine", true) ? new (string, int[])[] { ("weight", [c]), ("bias", [c]) } : [])
            .Concat(a.Flag("track_running_stats", true) ? new (string, int[])[] { ("running_mean", [c]), ("running_var", [c]), ("num_batches_tracked", []) } : []);
    }
}
