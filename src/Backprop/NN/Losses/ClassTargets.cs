using Backprop.Kernels;

namespace Backprop.NN.Losses;

/// <summary>
/// What cross-entropy and NLL share: class-index targets for inputs [N, C], [N, C, d1, …] (a class per pixel
/// or token) or [C], class weights, an ignored index, and PyTorch's weighted mean.
/// </summary>
internal static class ClassTargets
{
    /// <summary>
    /// Moves the class dimension last and flattens: input [N, C, d…] to [M, C] and target [N, d…] to [M]
    /// (M = N·d…), checking the shapes, the dtype and every index (in [0, C) or the ignored index).
    /// </summary>
    /// <returns>The flattened input and target, the shape of the unreduced loss, and whether any target is ignored.</returns>
    public static (Tensor Input, Tensor Target, int[] LossShape, bool AnyIgnored) Flatten(string op, Tensor input, Tensor target, long ignoreIndex)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        var unbatched = input.Rank == 1;
        if (input.Rank == 0 || !IsWithoutClassDim(target.Dims, input.Dims))
        {
            throw new ArgumentException($"{op}: input [N, C, d…] needs target [N, d…] class indices (or input [C] a 0-d target); got input {Shapes.Format(input.Dims)} and target {Shapes.Format(target.Dims)}.", nameof(target));
        }

        if (target.DType != DType.Int64)
        {
            throw new ArgumentException($"{op}: class-index targets must be int64, but the target is {target.DType.Name()} {Shapes.Format(target.Dims)}; convert it with Long() (or give float probabilities shaped like the input).", nameof(target));
        }

        var c = input.Dims[unbatched ? 0 : 1];
        var labels = target.AsSpan<long>();
        var anyIgnored = false;
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] == ignoreIndex)
            {
                anyIgnored = true;
            }
            else if (labels[i] < 0 || labels[i] >= c)
            {
                throw new ArgumentException($"{op}: target {labels[i]} at position {i} is not a class index in [0, {c}).", nameof(target));
            }
        }

        var rows = unbatched ? input.Reshape(1, c) : input.Rank == 2 ? input : input.Flatten(2).Transpose(1, 2).Reshape(-1, c);
        return (rows, target.Rank == 1 ? target : target.Reshape(labels.Length), target.Dims, anyIgnored);
    }

    /// <summary>Whether <paramref name="target"/> is <paramref name="input"/> without its class dimension (dimension 1 of a batch, the only one of a single sample).</summary>
    private static bool IsWithoutClassDim(int[] target, int[] input) => input.Length == 1
        ? target.Length == 0
        : target.Length == input.Length - 1 && target[0] == input[0] && target.AsSpan(1).SequenceEqual(input.AsSpan(2));

    /// <summary>
    /// The weighted negative log-likelihood (and, with ε &gt; 0, PyTorch's label-smoothing term) of log-probabilities
    /// [M, C] against targets [M], with ignored rows weighing 0; returns the per-row losses and the mean's denominator
    /// (the sum of the rows' weights).
    /// </summary>
    public static (Tensor Losses, Tensor Denominator) Weighted(Tensor logProbs, Tensor target, Tensor? weight, long ignoreIndex, double labelSmoothing)
    {
        var m = target.Numel;
        var c = logProbs.Dims[1];
        var labels = target.AsSpan<long>();
        var safe = new long[m];
        var rowWeight = new float[m];
        var classWeight = weight?.ToArray();
        for (var i = 0; i < m; i++)
        {
            var ignored = labels[i] == ignoreIndex;
            safe[i] = ignored ? 0 : labels[i];
            rowWeight[i] = ignored ? 0f : classWeight is { } w ? w[(int)labels[i]] : 1f;
        }

        var dtype = logProbs.DType;
        var rowWeights = Tensor.FromArray(rowWeight, m).To(dtype);
        var picked = logProbs.Gather(1, Tensor.FromArray(safe, m, 1)).Reshape(m);
        var losses = -(picked * rowWeights);
        if (labelSmoothing > 0)
        {
            // PyTorch's form: (1 − ε)·nll + (ε/C)·(−Σ_c w_c·log p_c), the second term 0 on ignored rows.
            var weighted = weight is null ? logProbs : logProbs * weight.To(dtype);
            var kept = Tensor.FromArray(labels.ToArray().Select(l => l == ignoreIndex ? 0f : 1f).ToArray(), m).To(dtype);
            var smooth = -(weighted.Sum(1) * kept);
            losses = (losses * (1 - labelSmoothing)) + (smooth * (labelSmoothing / c));
        }

        return (losses, rowWeights.Sum());
    }

    /// <summary>Applies a class-index loss's reduction: the weighted mean divides by the sum of the rows' weights.</summary>
    public static Tensor Reduce(Reduction reduction, Tensor losses, Tensor denominator, int[] lossShape) => reduction switch
    {
        Reduction.Mean => losses.Sum() / denominator,
        Reduction.Sum => losses.Sum(),
        Reduction.BatchMean => losses.Sum() / (lossShape.Length == 0 ? 1 : lossShape[0]),
        _ => losses.Reshape(lossShape),
    };

    /// <summary>Checks a class-weight vector: float32, [C].</summary>
    public static Tensor? CheckWeight(string op, Tensor? weight)
    {
        if (weight is not null && (weight.Rank != 1 || weight.DType != DType.Float32))
        {
            throw new ArgumentException($"{op}: the class weights must be a float32 [C] vector, not {weight.DType.Name()} {Shapes.Format(weight.Dims)}.", nameof(weight));
        }

        return weight;
    }

    /// <summary>Checks that a weight vector has one weight per class.</summary>
    public static void CheckClasses(string op, Tensor? weight, int classes)
    {
        if (weight is not null && weight.Numel != classes)
        {
            throw new ArgumentException($"{op}: {weight.Numel} class weights for {classes} classes.", nameof(weight));
        }
    }
}
