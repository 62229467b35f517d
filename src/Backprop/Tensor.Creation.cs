using Backprop.Kernels;

namespace Backprop;

public partial class Tensor
{
    /// <summary>A tensor holding a copy of <paramref name="data"/> with the given shape.</summary>
    /// <param name="data">The elements in row-major order.</param>
    /// <param name="shape">The shape; omitted means a 1-D tensor of data.Length elements.</param>
    /// <returns>The tensor.</returns>
    public static Tensor FromArray(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        var dims = shape.Length == 0 && data.Length != 1 ? [data.Length] : CheckShape("FromArray", shape);
        if (Shapes.Numel(dims) != data.Length)
        {
            throw new ArgumentException($"FromArray: shape {Shapes.Format(dims)} holds {Shapes.Numel(dims)} elements but {data.Length} were given.", nameof(data));
        }

        return new Tensor((float[])data.Clone(), dims);
    }

    /// <summary>A tensor from a 2-D array, rows first.</summary>
    /// <param name="data">The rows.</param>
    /// <returns>The tensor of shape [rows, columns].</returns>
    public static Tensor FromArray(float[,] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        int rows = data.GetLength(0), cols = data.GetLength(1);
        var flat = new float[rows * cols];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < cols; j++)
            {
                flat[(i * cols) + j] = data[i, j];
            }
        }

        return new Tensor(flat, [rows, cols]);
    }

    /// <summary>A zero-dimensional tensor holding one value.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The tensor.</returns>
    public static Tensor Scalar(float value) => new([value], []);

    /// <summary>A tensor of zeros.</summary>
    /// <param name="shape">The shape.</param>
    /// <returns>The tensor.</returns>
    public static Tensor Zeros(params int[] shape) => new(new float[Shapes.Numel(CheckShape("Zeros", shape))], (int[])shape.Clone());

    /// <summary>A tensor of ones.</summary>
    /// <param name="shape">The shape.</param>
    /// <returns>The tensor.</returns>
    public static Tensor Ones(params int[] shape) => Full(1f, shape);

    /// <summary>A tensor with every element equal to <paramref name="value"/>.</summary>
    /// <param name="value">The fill value.</param>
    /// <param name="shape">The shape.</param>
    /// <returns>The tensor.</returns>
    public static Tensor Full(float value, params int[] shape)
    {
        var data = new float[Shapes.Numel(CheckShape("Full", shape))];
        Array.Fill(data, value);
        return new Tensor(data, (int[])shape.Clone());
    }

    /// <summary>A tensor of zeros shaped like <paramref name="other"/>.</summary>
    /// <param name="other">The tensor whose shape to copy.</param>
    /// <returns>The tensor.</returns>
    public static Tensor ZerosLike(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new Tensor(new float[other.Numel], (int[])other.Dims.Clone());
    }

    /// <summary>A tensor of ones shaped like <paramref name="other"/>.</summary>
    /// <param name="other">The tensor whose shape to copy.</param>
    /// <returns>The tensor.</returns>
    public static Tensor OnesLike(Tensor other) => FullLike(other, 1f);

    /// <summary>A tensor filled with <paramref name="value"/>, shaped like <paramref name="other"/>.</summary>
    /// <param name="other">The tensor whose shape to copy.</param>
    /// <param name="value">The value.</param>
    /// <returns>The tensor.</returns>
    public static Tensor FullLike(Tensor other, float value)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Full(value, other.Dims);
    }

    /// <summary>Standard normal samples shaped like <paramref name="other"/>.</summary>
    /// <param name="other">The tensor whose shape to copy.</param>
    /// <param name="generator">The random source; null uses <see cref="Generator.Default"/>.</param>
    /// <returns>The tensor.</returns>
    public static Tensor RandnLike(Tensor other, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Randn(other.Shape, generator);
    }

    /// <summary>Uniform samples in [0, 1) shaped like <paramref name="other"/>.</summary>
    /// <param name="other">The tensor whose shape to copy.</param>
    /// <param name="generator">The random source; null uses <see cref="Generator.Default"/>.</param>
    /// <returns>The tensor.</returns>
    public static Tensor RandLike(Tensor other, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Rand(other.Shape, generator);
    }

    /// <summary><paramref name="steps"/> evenly spaced values from start to end, both included, as torch.linspace.</summary>
    /// <param name="start">The first value.</param>
    /// <param name="end">The last value.</param>
    /// <param name="steps">How many values; at least 1 (one value is start).</param>
    /// <returns>The 1-D tensor.</returns>
    public static Tensor Linspace(float start, float end, int steps)
    {
        if (steps < 1 || !float.IsFinite(start) || !float.IsFinite(end))
        {
            throw new ArgumentException($"Linspace: {steps} steps from {start} to {end}; steps must be at least 1 and the ends finite.", nameof(steps));
        }

        var data = new float[steps];
        var step = steps == 1 ? 0.0 : ((double)end - start) / (steps - 1);
        for (var i = 0; i < steps; i++)
        {
            data[i] = i == steps - 1 && steps > 1 ? end : (float)(start + (i * step));
        }

        return new Tensor(data, [steps]);
    }

    /// <summary>The values start, start+step, … below end, as a 1-D tensor.</summary>
    /// <param name="start">The first value.</param>
    /// <param name="end">The exclusive bound.</param>
    /// <param name="step">The step; must not be zero.</param>
    /// <returns>The tensor.</returns>
    public static Tensor Arange(float start, float end, float step = 1f)
    {
        if (step == 0 || float.IsNaN(step) || float.IsNaN(start) || float.IsNaN(end))
        {
            throw new ArgumentException($"Arange: start {start}, end {end}, step {step}: the step must be a non-zero number.", nameof(step));
        }

        var n = Math.Max(0, (int)Math.Ceiling((end - start) / (double)step));
        var data = new float[n];
        for (var i = 0; i < n; i++)
        {
            data[i] = start + (i * step);
        }

        return new Tensor(data, [n]);
    }

    /// <summary>The values 0, 1, … below end, as a 1-D tensor.</summary>
    /// <param name="end">The exclusive bound.</param>
    /// <returns>The tensor.</returns>
    public static Tensor Arange(int end) => Arange(0, end);

    /// <summary>The n×n identity matrix.</summary>
    /// <param name="n">The size.</param>
    /// <returns>The tensor.</returns>
    public static Tensor Eye(int n) => Eye(n, n);

    /// <summary>An n×m matrix with ones on the main diagonal and zeros elsewhere.</summary>
    /// <param name="n">Rows.</param>
    /// <param name="m">Columns.</param>
    /// <returns>The matrix.</returns>
    public static Tensor Eye(int n, int m)
    {
        var t = Zeros(n, m);
        for (var i = 0; i < Math.Min(n, m); i++)
        {
            t.Data[(i * m) + i] = 1f;
        }

        return t;
    }

    /// <summary>Samples of the standard normal distribution.</summary>
    /// <param name="shape">The shape.</param>
    /// <param name="generator">The random source; null uses <see cref="Generator.Default"/>.</param>
    /// <returns>The tensor.</returns>
    public static Tensor Randn(int[] shape, Generator? generator = null)
    {
        var g = generator ?? Generator.Default;
        var t = Zeros(shape);
        for (var i = 0; i < t.Data.Length; i++)
        {
            t.Data[i] = g.NextNormal();
        }

        return t;
    }

    /// <summary>Samples of the standard normal distribution, from <see cref="Generator.Default"/>.</summary>
    /// <param name="shape">The shape.</param>
    /// <returns>The tensor.</returns>
    public static Tensor Randn(params int[] shape) => Randn(shape, null);

    /// <summary>Uniform samples in [0, 1).</summary>
    /// <param name="shape">The shape.</param>
    /// <param name="generator">The random source; null uses <see cref="Generator.Default"/>.</param>
    /// <returns>The tensor.</returns>
    public static Tensor Rand(int[] shape, Generator? generator = null) => Uniform(shape, 0f, 1f, generator);

    /// <summary>Uniform samples in [0, 1), from <see cref="Generator.Default"/>.</summary>
    /// <param name="shape">The shape.</param>
    /// <returns>The tensor.</returns>
    public static Tensor Rand(params int[] shape) => Rand(shape, null);

    /// <summary>Uniform samples in [low, high).</summary>
    /// <param name="shape">The shape.</param>
    /// <param name="low">The inclusive lower bound.</param>
    /// <param name="high">The exclusive upper bound.</param>
    /// <param name="generator">The random source; null uses <see cref="Generator.Default"/>.</param>
    /// <returns>The tensor.</returns>
    public static Tensor Uniform(int[] shape, float low, float high, Generator? generator = null)
    {
        if (!(high >= low) || float.IsInfinity(low) || float.IsInfinity(high))
        {
            throw new ArgumentException($"Uniform: the bounds [{low}, {high}) must be finite with low <= high.", nameof(high));
        }

        var g = generator ?? Generator.Default;
        var t = Zeros(shape);
        var span = high - low;
        for (var i = 0; i < t.Data.Length; i++)
        {
            t.Data[i] = low + (span * g.NextFloat());
        }

        return t;
    }

    /// <summary>A copy of this tensor with its own storage, cut from the graph.</summary>
    /// <returns>The copy.</returns>
    public Tensor Clone() => new((float[])Data.Clone(), (int[])Dims.Clone());

    private static int[] CheckShape(string op, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        foreach (var d in shape)
        {
            if (d < 0)
            {
                throw new ArgumentException($"{op}: shape {Shapes.Format(shape)} has a negative dimension.", nameof(shape));
            }
        }

        return shape;
    }
}
