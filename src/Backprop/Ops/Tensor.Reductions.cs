using System.Buffers;
using System.Numerics.Tensors;
using Backprop.Autograd;
using Backprop.Kernels;

namespace Backprop;

public partial class Tensor
{
    /// <summary>The sum of all elements, as a zero-dimensional tensor: of the same dtype for float32 and float64, int64 for int64 and bool (a count of the true elements).</summary>
    /// <returns>The sum.</returns>
    public Tensor Sum() => _dtype switch
    {
        DType.Float32 => ReduceAll("Sum", TensorPrimitives.Sum(Data), 1f),
        DType.Float64 => ReduceAll("Sum", TensorPrimitives.Sum<double>(Storage<double>()), 1.0),
        DType.Int64 => Wrap<long>([TensorPrimitives.Sum<long>(Storage<long>())], []),
        DType.Bool => Wrap<long>([Storage<bool>().AsSpan().Count(true)], []),
        _ => throw DTypeError("Sum", this, "float32, float64, int64 or bool"),
    };

    /// <summary>The mean of all elements, as a zero-dimensional tensor.</summary>
    /// <returns>The mean.</returns>
    public Tensor Mean()
    {
        if (Numel == 0)
        {
            throw new InvalidOperationException("Mean: the tensor is empty.");
        }

        if (_dtype == DType.Float64)
        {
            return ReduceAll("Mean", TensorPrimitives.Sum<double>(Storage<double>()) / Numel, 1.0 / Numel);
        }

        RequireFloat32("Mean", this);
        return ReduceAll("Mean", TensorPrimitives.Sum(Data) / Numel, 1f / Numel);
    }

    /// <summary>The sum along one dimension.</summary>
    /// <param name="dim">The dimension; negative counts from the end.</param>
    /// <param name="keepDim">Keep the reduced dimension with size 1.</param>
    /// <returns>The sums.</returns>
    public Tensor Sum(int dim, bool keepDim = false) => ReduceDim("Sum", dim, keepDim, mean: false);

    /// <summary>The mean along one dimension.</summary>
    /// <param name="dim">The dimension; negative counts from the end.</param>
    /// <param name="keepDim">Keep the reduced dimension with size 1.</param>
    /// <returns>The means.</returns>
    public Tensor Mean(int dim, bool keepDim = false) => ReduceDim("Mean", dim, keepDim, mean: true);

    /// <summary>The variance along one dimension, as torch.var: Σ(x − mean)² / (n − 1) with Bessel's correction, / n without.</summary>
    /// <param name="dim">The dimension; negative counts from the end.</param>
    /// <param name="unbiased">Divide by n − 1 (PyTorch's default) instead of n.</param>
    /// <param name="keepDim">Keep the reduced dimension with size 1.</param>
    /// <returns>The variances.</returns>
    public Tensor Var(int dim, bool unbiased = true, bool keepDim = false)
    {
        var n = Size(dim);
        if (unbiased && n < 2)
        {
            throw new InvalidOperationException($"Var: dimension {dim} of shape {Shapes.Format(Dims)} has {n} element(s); the unbiased variance needs at least 2 (pass unbiased: false).");
        }

        var centered = this - Mean(dim, keepDim: true);
        return (centered * centered).Sum(dim, keepDim) * (1f / (unbiased ? n - 1 : n));
    }

    /// <summary>The standard deviation along one dimension, √<see cref="Var(int, bool, bool)"/>.</summary>
    /// <param name="dim">The dimension; negative counts from the end.</param>
    /// <param name="unbiased">Divide by n − 1 (PyTorch's default) instead of n.</param>
    /// <param name="keepDim">Keep the reduced dimension with size 1.</param>
    /// <returns>The standard deviations.</returns>
    public Tensor Std(int dim, bool unbiased = true, bool keepDim = false) => Var(dim, unbiased, keepDim).Sqrt();

    /// <summary>
    /// log Σ exp(x) along one dimension, computed stably as m + log Σ exp(x − m) with m the maximum (held
    /// constant for the gradient, which is then exactly softmax(x); an infinite maximum counts as 0, as in PyTorch).
    /// </summary>
    /// <param name="dim">The dimension; negative counts from the end.</param>
    /// <param name="keepDim">Keep the reduced dimension with size 1.</param>
    /// <returns>The log-sum-exps.</returns>
    public Tensor LogSumExp(int dim, bool keepDim = false) => LogSumExp([dim], keepDim);

    /// <summary>log Σ exp(x) over several dimensions at once (torch.logsumexp with a tuple of dims), as stably as over one.</summary>
    /// <param name="dims">The dimensions; negative ones count from the end.</param>
    /// <param name="keepDim">Keep the reduced dimensions with size 1.</param>
    /// <returns>The log-sum-exps.</returns>
    public Tensor LogSumExp(int[] dims, bool keepDim = false)
    {
        var max = OverDims("LogSumExp", dims, keepDim: true, static (t, d) => t.Max(d, keepDim: true)).Detach().Clone();
        var m = max.Data;
        for (var i = 0; i < m.Length; i++)
        {
            m[i] = float.IsInfinity(m[i]) ? 0f : m[i];
        }

        var result = (this - max).Exp().Sum(dims, keepDim: true).Log() + max;
        return keepDim ? result : result.OverDims("LogSumExp", dims, keepDim: false, static (t, _) => t);
    }

    /// <summary>The largest element, as a zero-dimensional tensor; the gradient goes to its first occurrence.</summary>
    /// <returns>The maximum.</returns>
    public Tensor Max() => Reshape(Numel).Extreme("Max", 0, false, min: false);

    /// <summary>The smallest element, as a zero-dimensional tensor; the gradient goes to its first occurrence.</summary>
    /// <returns>The minimum.</returns>
    public Tensor Min() => Reshape(Numel).Extreme("Min", 0, false, min: true);

    /// <summary>The largest element along one dimension.</summary>
    /// <param name="dim">The dimension; negative counts from the end.</param>
    /// <param name="keepDim">Keep the reduced dimension with size 1.</param>
    /// <returns>The maxima.</returns>
    public Tensor Max(int dim, bool keepDim = false) => Extreme("Max", dim, keepDim, min: false);

    /// <summary>The smallest element along one dimension.</summary>
    /// <param name="dim">The dimension; negative counts from the end.</param>
    /// <param name="keepDim">Keep the reduced dimension with size 1.</param>
    /// <returns>The minima.</returns>
    public Tensor Min(int dim, bool keepDim = false) => Extreme("Min", dim, keepDim, min: true);

    /// <summary>The largest elements along one dimension and where they are, as torch.max(x, dim): the values (differentiable) and their int64 indices (first occurrence).</summary>
    /// <param name="dim">The dimension; negative counts from the end.</param>
    /// <param name="keepDim">Keep the reduced dimension with size 1.</param>
    /// <returns>The maxima and their indices.</returns>
    public (Tensor Values, Tensor Indices) MaxWithIndices(int dim, bool keepDim = false) => ExtremeWithIndices("Max", dim, keepDim, min: false);

    /// <summary>The smallest elements along one dimension and where they are, as torch.min(x, dim): the values (differentiable) and their int64 indices (first occurrence).</summary>
    /// <param name="dim">The dimension; negative counts from the end.</param>
    /// <param name="keepDim">Keep the reduced dimension with size 1.</param>
    /// <returns>The minima and their indices.</returns>
    public (Tensor Values, Tensor Indices) MinWithIndices(int dim, bool keepDim = false) => ExtremeWithIndices("Min", dim, keepDim, min: true);

    /// <summary>The int64 index of the largest element along one dimension (first occurrence).</summary>
    /// <param name="dim">The dimension; negative counts from the end.</param>
    /// <param name="keepDim">Keep the reduced dimension with size 1.</param>
    /// <returns>The indices.</returns>
    public Tensor Argmax(int dim, bool keepDim = false) => ArgExtremeIndices("Argmax", dim, keepDim, min: false);

    /// <summary>The int64 index of the smallest element along one dimension (first occurrence).</summary>
    /// <param name="dim">The dimension; negative counts from the end.</param>
    /// <param name="keepDim">Keep the reduced dimension with size 1.</param>
    /// <returns>The indices.</returns>
    public Tensor Argmin(int dim, bool keepDim = false) => ArgExtremeIndices("Argmin", dim, keepDim, min: true);

    private Tensor ArgExtremeIndices(string op, int dim, bool keepDim, bool min)
    {
        var (outShape, outer, size, inner) = ReducedShape(op, dim, keepDim);
        var indices = new int[outer * inner];
        var values = ArrayPool<float>.Shared.Rent(indices.Length);
        ArgExtremeOf(op, outer, size, inner, min, indices, values.AsSpan(0, indices.Length));
        ArrayPool<float>.Shared.Return(values);
        var result = NewOutput<long>(outShape);
        var data = result.Storage<long>();
        for (var i = 0; i < indices.Length; i++)
        {
            data[i] = indices[i];
        }

        return result;
    }

    /// <summary>
    /// The index along the dimension of each line's extreme, for float32 or float64; for float32 the extremes
    /// themselves go to <paramref name="values32"/>.
    /// </summary>
    private void ArgExtremeOf(string op, int outer, int size, int inner, bool min, int[] indices, Span<float> values32)
    {
        if (_dtype == DType.Float64)
        {
            var values = ArrayPool<double>.Shared.Rent(indices.Length);
            Reductions.ArgExtreme<double>(Storage<double>(), outer, size, inner, min, values.AsSpan(0, indices.Length), indices);
            ArrayPool<double>.Shared.Return(values);
            return;
        }

        RequireFloat32(op, this);
        Reductions.ArgExtreme<float>(Data, outer, size, inner, min, values32, indices);
    }

    /// <summary>The index of the largest element of the flattened tensor.</summary>
    /// <returns>The index.</returns>
    public int Argmax()
    {
        if (Numel == 0)
        {
            throw new InvalidOperationException("Argmax: the tensor is empty.");
        }

        return _dtype == DType.Float64 ? TensorPrimitives.IndexOfMax<double>(Storage<double>()) : TensorPrimitives.IndexOfMax(Data);
    }

    private Tensor ReduceAll(string op, float value, float scale)
    {
        var result = NewOutput([]);
        result.Data[0] = value;
        if (NeedsGrad(this))
        {
            result.Record(op, [this], (scale, graph: scale == 1 ? s_sumAllGraph : s_meanAllGraph), static (s, _, x, g) =>
            {
                var grad = x[0].GradAccumulator();
                TensorPrimitives.Add(grad, g[0] * s.scale, grad);
            }, graph: static (s, o, g, x) => s.graph(o, g, x));
        }

        return result;
    }

    private Tensor ReduceAll(string op, double value, double scale)
    {
        var result = NewOutput<double>([]);
        result.Storage<double>()[0] = value;
        if (NeedsGrad(this))
        {
            result.Record(op, [this], null, graph: scale == 1 ? s_sumAllGraph : s_meanAllGraph);
        }

        return result;
    }

    private Tensor ReduceDim(string op, int dim, bool keepDim, bool mean)
    {
        var float64 = _dtype == DType.Float64;
        if (!float64)
        {
            RequireFloat32(op, this);
        }

        var (outShape, outer, size, inner) = ReducedShape(op, dim, keepDim);
        if (mean && size == 0)
        {
            throw new InvalidOperationException($"{op}: dimension {dim} of shape {Shapes.Format(Dims)} is empty.");
        }

        var result = NewOutput(outShape, _dtype);
        var scale = mean ? 1f / size : 1f;
        if (float64)
        {
            Reductions.Sum<double>(Storage<double>(), outer, size, inner, result.Storage<double>());
            if (mean)
            {
                TensorPrimitives.Divide(result.Storage<double>(), size, result.Storage<double>());
            }
        }
        else
        {
            Reductions.Sum<float>(Data, outer, size, inner, result.Data);
            if (mean)
            {
                TensorPrimitives.Multiply(result.Data, scale, result.Data);
            }
        }

        if (NeedsGrad(this))
        {
            var d = Shapes.NormalizeDim(op, dim, Rank);
            var exactScale = mean ? 1.0 / size : 1.0;
            result.Record(op, [this], (outer, size, inner, scale, keepDim, d, exactScale), float64 ? null : static (s, _, x, g) => Reductions.Expand(g, s.outer, s.size, s.inner, s.scale, x[0].GradAccumulator()), graph: static (s, o, g, x) => [ExpandBack(s.keepDim ? g : g.Unsqueeze(s.d), x[0].Dims, s.exactScale)]);
        }

        return result;
    }

    /// <summary>The gradient of the sum of all elements through tensor ops (a static delegate: nothing recorded per step).</summary>
    private static readonly GraphBackwardFn s_sumAllGraph = static (o, g, x) => [ExpandBack(g, x[0].Dims, 1)];

    /// <summary>The gradient of the mean of all elements, its scale 1/n taken from the input.</summary>
    private static readonly GraphBackwardFn s_meanAllGraph = static (o, g, x) => [ExpandBack(g, x[0].Dims, 1.0 / x[0].Numel)];

    /// <summary>The gradient of a sum or mean: <paramref name="g"/> expanded back over the reduced shape, times <paramref name="scale"/>.</summary>
    private static Tensor ExpandBack(Tensor g, int[] dims, double scale)
    {
        var expanded = g.Expand(dims);
        return scale == 1 ? expanded : expanded * scale;
    }

    private Tensor Extreme(string op, int dim, bool keepDim, bool min) => ExtremeCore(op, dim, keepDim, min, out _);

    private (Tensor Values, Tensor Indices) ExtremeWithIndices(string op, int dim, bool keepDim, bool min)
    {
        var values = ExtremeCore(op, dim, keepDim, min, out var picked);
        var indices = NewOutput<long>(values.Dims);
        var data = indices.Storage<long>();
        for (var i = 0; i < picked.Length; i++)
        {
            data[i] = picked[i];
        }

        return (values, indices);
    }

    private Tensor ExtremeCore(string op, int dim, bool keepDim, bool min, out int[] indices)
    {
        var (outShape, outer, size, inner) = ReducedShape(op, dim, keepDim);
        if (size == 0)
        {
            throw new InvalidOperationException($"{op}: the dimension to reduce is empty (shape {Shapes.Format(Dims)}).");
        }

        var picked = new int[outer * inner];
        indices = picked;
        if (_dtype == DType.Float64)
        {
            // The extremes taken from where they are, so that both backwards come with the take.
            ArgExtremeOf(op, outer, size, inner, min, picked, default);
            return TakeAt(op, ExtremePositions(picked, outer, size, inner), outShape);
        }

        var result = NewOutput(outShape);
        ArgExtremeOf(op, outer, size, inner, min, picked, result.Data);
        if (NeedsGrad(this))
        {
            var input = this;
            result.Record(op, [input], g =>
            {
                var grad = input.GradAccumulator();
                for (var o = 0; o < outer; o++)
                {
                    for (var i = 0; i < inner; i++)
                    {
                        grad[(((o * size) + picked[(o * inner) + i]) * inner) + i] += g[(o * inner) + i];
                    }
                }
            }, graph: (o, g, x) => [g.PutAddAt(ExtremePositions(picked, outer, size, inner), x[0].Dims)]);
        }

        return result;
    }

    /// <summary>The flat input position of each line's extreme, from its index along the dimension.</summary>
    private static int[] ExtremePositions(int[] picked, int outer, int size, int inner)
    {
        var positions = new int[picked.Length];
        for (var o = 0; o < outer; o++)
        {
            for (var i = 0; i < inner; i++)
            {
                positions[(o * inner) + i] = (((o * size) + picked[(o * inner) + i]) * inner) + i;
            }
        }

        return positions;
    }

    private (int[] Shape, int Outer, int Size, int Inner) ReducedShape(string op, int dim, bool keepDim)
    {
        var d = Shapes.NormalizeDim(op, dim, Dims.Length);
        var (outer, size, inner) = Shapes.Split(Dims, d);
        int[] shape;
        if (keepDim)
        {
            shape = (int[])Dims.Clone();
            shape[d] = 1;
        }
        else
        {
            shape = new int[Dims.Length - 1];
            for (int i = 0, j = 0; i < Dims.Length; i++)
            {
                if (i != d)
                {
                    shape[j++] = Dims[i];
                }
            }
        }

        return (shape, outer, size, inner);
    }
}
