using System.Globalization;
using Backprop.Cli.Models;

namespace Backprop.Cli.Explaining;

/// <summary>Parses the explain options shared by `explain` and `graph`: layers, activation, loss, input, target.</summary>
internal static class ExplainOptions
{
    public static int[] Layers(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var sizes = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out sizes[i]) || sizes[i] <= 0 || sizes[i] > 64)
            {
                throw new ArgumentException($"--layers: '{parts[i]}' is not a layer size from 1 to 64 (expected a list like 1,2,2).");
            }
        }

        return sizes.Length >= 2 ? sizes : throw new ArgumentException($"--layers: '{text}' needs at least an input and an output size (like 1,2,2).");
    }

    /// <summary>The hand-derived activation for a name from <see cref="Names.Activations"/>.</summary>
    public static ExplainActivation Activation(string text) => Names.Activation(text) switch
    {
        "relu" => ExplainActivation.Relu,
        "sigmoid" => ExplainActivation.Sigmoid,
        "tanh" => ExplainActivation.Tanh,
        "leaky-relu" => ExplainActivation.LeakyRelu,
        var other => throw new ArgumentException($"--activation: explain derives relu, leaky-relu, sigmoid and tanh by hand, not {other}."),
    };

    /// <summary>The hand-derived cost for a name from <see cref="Names.Losses"/>.</summary>
    public static ExplainLoss Loss(string text) => Names.Loss(text) switch
    {
        "half-squared" => ExplainLoss.HalfSquared,
        "mse" => ExplainLoss.Mse,
        _ => ExplainLoss.CrossEntropy,
    };

    public static float[] Numbers(string option, string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var values = new float[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !float.IsFinite(values[i]))
            {
                throw new ArgumentException($"{option}: '{parts[i]}' is not a number.");
            }
        }

        return values;
    }

    /// <summary>The input [1, n]: the given values, or 0.5 for the first input and a spread for the others.</summary>
    public static Tensor Input(string? text, int size)
    {
        var values = text is null ? [.. Enumerable.Range(0, size).Select(i => 0.5f - (0.25f * i))] : Numbers("--input", text);
        return values.Length == size ? Tensor.FromArray(values, 1, size) : throw new ArgumentException($"--input: {values.Length} values given, but the network takes {size}.");
    }

    /// <summary>The target: [1, n] values, or one class index for cross-entropy; by default the seed network's [1, 0.2].</summary>
    public static Tensor Target(string? text, int size, ExplainLoss loss)
    {
        if (loss == ExplainLoss.CrossEntropy)
        {
            var c = text is null ? [0f] : Numbers("--target", text);
            return c.Length == 1 && c[0] >= 0 && c[0] < size && c[0] == MathF.Floor(c[0])
                ? Tensor.FromArray([(long)c[0]], 1)
                : throw new ArgumentException($"--target: for cross-entropy give one class index from 0 to {size - 1}.");
        }

        var values = text is null ? [.. Enumerable.Range(0, size).Select(i => i == 0 ? 1f : 0.2f)] : Numbers("--target", text);
        return values.Length == size ? Tensor.FromArray(values, 1, size) : throw new ArgumentException($"--target: {values.Length} values given, but the network has {size} outputs.");
    }
}
