using Backprop.Kernels;

namespace Backprop;

public partial class Tensor
{
    /// <summary>The sum over several dimensions (torch.sum(x, dims)).</summary>
    /// <param name="dims">The dimensions; negative count from the end.</param>
    /// <param name="keepDim">Keep the reduced dimensions with size 1.</param>
    /// <returns>The sums.</returns>
    public Tensor Sum(int[] dims, bool keepDim = false) => OverDims("Sum", dims, keepDim, static (t, d) => t.Sum(d, keepDim: true));

    /// <summary>The mean over several dimensions (torch.mean(x, dims)).</summary>
    /// <param name="dims">The dimensions; negative count from the end.</param>
    /// <param name="keepDim">Keep the reduced dimensions with size 1.</param>
    /// <returns>The means.</returns>
    public Tensor Mean(int[] dims, bool keepDim = false) => OverDims("Mean", dims, keepDim, static (t, d) => t.Mean(d, keepDim: true));

    /// <summary>The variance over several dimensions (torch.var(x, dims)): Σ(x − mean)² / (n − 1), or / n without Bessel's correction, n the number of elements reduced.</summary>
    /// <param name="dims">The dimensions; negative count from the end.</param>
    /// <param name="unbiased">Divide by n − 1 (PyTorch's default) instead of n.</param>
    /// <param name="keepDim">Keep the reduced dimensions with size 1.</param>
    /// <returns>The variances.</returns>
    public Tensor Var(int[] dims, bool unbiased = true, bool keepDim = false)
    {
        ArgumentNullException.ThrowIfNull(dims);
        var n = dims.Select(d => Size(d)).Aggregate(1, (a, b) => a * b);
        if (unbiased && n < 2)
        {
            throw new InvalidOperationException($"Var: dimensions [{string.Join(", ", dims)}] of shape {Shapes.Format(Dims)} hold {n} element(s); the unbiased variance needs at least 2 (pass unbiased: false).");
        }

        var centered = this - Mean(dims, keepDim: true);
        return (centered * centered).Sum(dims, keepDim) * (1f / (unbiased ? n - 1 : n));
    }

    /// <summary>The standard deviation over several dimensions, √<see cref="Var(int[], bool, bool)"/>.</summary>
    /// <param name="dims">The dimensions; negative count from the end.</param>
    /// <param name="unbiased">Divide by n − 1 (PyTorch's default) instead of n.</param>
    /// <param name="keepDim">Keep the reduced dimensions with size 1.</param>
    /// <returns>The standard deviations.</returns>
    public Tensor Std(int[] dims, bool unbiased = true, bool keepDim = false) => Var(dims, unbiased, keepDim).Sqrt();

    /// <summary>
    /// The p-norm of all elements (torch.linalg.vector_norm): (Σ|x|^p)^(1/p); p = 2 by default, 1, any positive
    /// p, or infinity (the largest |x|).
    /// </summary>
    /// <param name="p">The order.</param>
    /// <returns>The norm, 0-d.</returns>
    public Tensor Norm(float p = 2f) => Reshape(Numel).Norm(p, [0]);

    /// <summary>The p-norm over the given dimensions.</summary>
    /// <param name="p">The order: positive, or infinity.</param>
    /// <param name="dims">The dimensions.</param>
    /// <param name="keepDim">Keep the reduced dimensions with size 1.</param>
    /// <returns>The norms.</returns>
    public Tensor Norm(float p, int[] dims, bool keepDim = false)
    {
        if (!(p > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, $"Norm: the order must be positive or infinity (shape {Shapes.Format(Dims)}).");
        }

        var magnitude = Abs();
        return float.IsPositiveInfinity(p) ? magnitude.OverDims("Norm", dims, keepDim, static (t, d) => t.Max(d, keepDim: true))
            : p == 1f ? magnitude.Sum(dims, keepDim)
            : p == 2f ? (this * this).Sum(dims, keepDim).Sqrt()
            : magnitude.Pow(p).Sum(dims, keepDim).Pow(1f / p);
    }

    /// <summary>
    /// This tensor summed down to <paramref name="dims"/>, a shape it was broadcast from (leading dimensions
    /// dropped, stretched dimensions of size 1 summed): the gradient of a broadcast, through tensor ops.
    /// </summary>
    internal Tensor SumTo(int[] dims)
    {
        if (Dims.AsSpan().SequenceEqual(dims))
        {
            return this;
        }

        var lead = Rank - dims.Length;
        var reduce = new List<int>();
        for (var i = 0; i < Rank; i++)
        {
            if (i < lead || (dims[i - lead] == 1 && Dims[i] != 1))
            {
                reduce.Add(i);
            }
        }

        return (reduce.Count == 0 ? this : Sum([.. reduce], keepDim: true)).Reshape(dims);
    }

    /// <summary>Reduces the given dimensions one at a time, the highest first, keeping them until the end.</summary>
    private Tensor OverDims(string op, int[] dims, bool keepDim, Func<Tensor, int, Tensor> reduce)
    {
        ArgumentNullException.ThrowIfNull(dims);
        var normalized = dims.Select(d => Shapes.NormalizeDim(op, d, Rank)).Distinct().OrderDescending().ToArray();
        if (normalized.Length != dims.Length)
        {
            throw new ArgumentException($"{op}: dimensions [{string.Join(", ", dims)}] repeat one for shape {Shapes.Format(Dims)}.", nameof(dims));
        }

        var result = this;
        foreach (var d in normalized)
        {
            result = reduce(result, d);
        }

        if (keepDim)
        {
            return result;
        }

        var shape = new List<int>();
        for (var i = 0; i < Rank; i++)
        {
            if (!normalized.Contains(i))
            {
                shape.Add(Dims[i]);
            }
        }

        return result.Reshape([.. shape]);
    }
}
