using Backprop.Kernels;

namespace Backprop;

public partial class Tensor
{
    /// <summary>A tensor holding a copy of <paramref name="data"/> with the given shape.</summary>
    /// <param name="data">The elements in row-major order.</param>
    /// <param name="shape">The shape; omitted means a 1-D tensor of data.Length elements.</param>
    /// <returns>The tensor.</returns>
    public static Tensor FromArray(float[] data, params int[] shape) => FromArrayCopy(data, shape);

    /// <summary>A float64 tensor holding a copy of <paramref name="data"/> with the given shape.</summary>
    /// <param name="data">The elements in row-major order.</param>
    /// <param name="shape">The shape; omitted means a 1-D tensor of data.Length elements.</param>
    /// <returns>The tensor.</returns>
    public static Tensor FromArray(double[] data, params int[] shape) => FromArrayCopy(data, shape);

    /// <summary>An int64 tensor holding a copy of <paramref name="data"/> with the given shape (indices, labels, token ids).</summary>
    /// <param name="data">The elements in row-major order.</param>
    /// <param name="shape">The shape; omitted means a 1-D tensor of data.Length elements.</param>
    /// <returns>The tensor.</returns>
    public static Tensor FromArray(long[] data, params int[] shape) => FromArrayCopy(data, shape);

    /// <summary>An int64 tensor holding <paramref name="data"/> widened to 64 bits, as torch.tensor makes from Python ints.</summary>
    /// <param name="data">The elements in row-major order.</param>
    /// <param name="shape">The shape; omitted means a 1-D tensor of data.Length elements.</param>
    /// <returns>The tensor.</returns>
    public static Tensor FromArray(int[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        var wide = new long[data.Length];
        for (var i = 0; i < data.Length; i++)
        {
            wide[i] = data[i];
        }

        return FromArrayCopy(wide, shape);
    }

    /// <summary>A bool tensor holding a copy of <paramref name="data"/> with the given shape (a mask).</summary>
    /// <param name="data">The elements in row-major order.</param>
    /// <param name="shape">The shape; omitted means a 1-D tensor of data.Length elements.</param>
    /// <returns>The tensor.</returns>
    public static Tensor FromArray(bool[] data, params int[] shape) => FromArrayCopy(data, shape);

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
    public static Tensor Zeros(params int[] shape) => new(BufferPool<float>.RentZeroed(Shapes.Numel(CheckShape("Zeros", shape))), (int[])shape.Clone());

    /// <summary>A tensor of ones.</summary>
    /// <param name="shape">The shape.</param>
    /// <returns>The tensor.</returns>
    public static Tensor Ones(params int[] shape) => Full(1f, shape);

    /// <summary>A tensor with every element equal to <paramref name="value"/>.</summary>
    /// <param name="value">The fill value.</param>
    /// <param name="shape">The shape.</param>
    /// <returns>The tensor.</returns>
    public static Tensor Full(float value, params int[] shape) => new(Filled(Shapes.Numel(CheckShape("Full", shape)), value), (int[])shape.Clone());

    /// <summary>A tensor of zeros of the given dtype.</summary>
    /// <param name="shape">The shape.</param>
    /// <param name="dtype">The element type.</param>
    /// <returns>The tensor.</returns>
    public static Tensor Zeros(int[] shape, DType dtype) => Full(0, shape, dtype);

    /// <summary>A tensor of ones of the given dtype (true for Bool).</summary>
    /// <param name="shape">The shape.</param>
    /// <param name="dtype">The element type.</param>
    /// <returns>The tensor.</returns>
    public static Tensor Ones(int[] shape, DType dtype) => Full(1, shape, dtype);

    /// <summary>A tensor of the given dtype with every element equal to <paramref name="value"/> converted to it (Int64 truncates toward zero; Bool is value ≠ 0).</summary>
    /// <param name="value">The fill value.</param>
    /// <param name="shape">The shape.</param>
    /// <param name="dtype">The element type.</param>
    /// <returns>The tensor.</returns>
    public static Tensor Full(double value, int[] shape, DType dtype)
    {
        var dims = (int[])CheckShape("Full", shape).Clone();
        var n = Shapes.Numel(dims);
        return dtype switch
        {
            DType.Float32 => Wrap(Filled(n, (float)value), dims),
            DType.Float64 => Wrap(Filled(n, value), dims),
            DType.Int64 => Wrap(Filled(n, CheckedInt64("Full", value)), dims),
            DType.Bool => Wrap(Filled(n, value != 0), dims),
            _ => throw new ArgumentOutOfRangeException(nameof(dtype), $"Full: {(int)dtype} is not a dtype."),
        };
    }

    /// <summary>A tensor of zeros with the shape and dtype of <paramref name="other"/>.</summary>
    /// <param name="other">The tensor whose shape and dtype to copy.</param>
    /// <returns>The tensor.</returns>
    public static Tensor ZerosLike(Tensor other) => FullLike(other, 0);

    /// <summary>A tensor of ones with the shape and dtype of <paramref name="other"/>.</summary>
    /// <param name="other">The tensor whose shape and dtype to copy.</param>
    /// <returns>The tensor.</returns>
    public static Tensor OnesLike(Tensor other) => FullLike(other, 1);

    /// <summary>A tensor filled with <paramref name="value"/>, with the shape and dtype of <paramref name="other"/>.</summary>
    /// <param name="other">The tensor whose shape and dtype to copy.</param>
    /// <param name="value">The value, converted to the dtype.</param>
    /// <returns>The tensor.</returns>
    public static Tensor FullLike(Tensor other, double value)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Full(value, other.Dims, other.DType);
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

    /// <summary>The values start, start+step, … below end, as a 1-D tensor of the given dtype (Int64 for indices).</summary>
    /// <param name="start">The first value.</param>
    /// <param name="end">The exclusive bound.</param>
    /// <param name="step">The step; must not be zero.</param>
    /// <param name="dtype">The element type; Bool is refused.</param>
    /// <returns>The tensor.</returns>
    public static Tensor Arange(double start, double end, double step, DType dtype)
    {
        if (step == 0 || double.IsNaN(step) || !double.IsFinite(start) || !double.IsFinite(end) || dtype == DType.Bool)
        {
            throw new ArgumentException($"Arange: start {start}, end {end}, step {step}, dtype {dtype.Name()}: the step must be a non-zero number, the ends finite and the dtype numeric.", nameof(step));
        }

        var n = Math.Max(0, (int)Math.Ceiling((end - start) / step));
        var values = new double[n];
        for (var i = 0; i < n; i++)
        {
            values[i] = start + (i * step);
        }

        return Wrap(values, [n]).To(dtype);
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

    /// <summary>Uniform random integers in [low, high), as an int64 tensor (torch.randint): class labels, token ids.</summary>
    /// <param name="low">The inclusive lower bound.</param>
    /// <param name="high">The exclusive upper bound, above <paramref name="low"/>.</param>
    /// <param name="shape">The shape.</param>
    /// <param name="generator">The random source; null uses <see cref="Generator.Default"/>.</param>
    /// <returns>The tensor.</returns>
    public static Tensor Randint(int low, int high, int[] shape, Generator? generator = null)
    {
        if (high <= low)
        {
            throw new ArgumentException($"Randint: the range [{low}, {high}) is empty.", nameof(high));
        }

        var g = generator ?? Generator.Default;
        var data = new long[Shapes.Numel(CheckShape("Randint", shape))];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = low + (long)g.NextInt(high - low);
        }

        return Wrap(data, (int[])shape.Clone());
    }

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
        var data = t.Data;
        g.NextFloats(data);
        var span = high - low;
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = low + (span * data[i]);
        }

        return t;
    }

    /// <summary>
    /// A copy of this tensor with its own storage. As torch.clone it stays in the graph: the copy's gradient flows
    /// back to this tensor (<c>Detach().Clone()</c> gives a copy cut from it).
    /// </summary>
    /// <returns>The copy.</returns>
    public Tensor Clone()
    {
        var result = new Tensor((Array)RawStorage.Clone(), _dtype, (int[])Dims.Clone());
        if (NeedsGrad(this))
        {
            var input = this;
            result.Record("Clone", [input], _dtype == DType.Float32 ? g => input.DepositGrad(g, input.Dims, owned: false) : null, graph: static (o, g, x) => [g]);
        }

        return result;
    }

    private static Tensor FromArrayCopy<T>(T[] data, int[] shape)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        var dims = shape.Length == 0 && data.Length != 1 ? [data.Length] : (int[])CheckShape("FromArray", shape).Clone();
        if (Shapes.Numel(dims) != data.Length)
        {
            throw new ArgumentException($"FromArray: shape {Shapes.Format(dims)} holds {Shapes.Numel(dims)} elements but {data.Length} were given.", nameof(data));
        }

        return Wrap((T[])data.Clone(), dims);
    }

    /// <summary>
    /// An array of <paramref name="length"/> copies of <paramref name="value"/>, taken from the pool when it holds one
    /// of that length (a disposed scope's), so that a loop that makes the same tensor each step in a scope, with
    /// <see cref="TensorScope.Attach"/>, allocates it once.
    /// </summary>
    private static T[] Filled<T>(int length, T value)
        where T : unmanaged
    {
        var data = BufferPool<T>.Rent(length);
        Array.Fill(data, value);
        return data;
    }

    /// <summary>A whole number for an Int64 tensor: truncated toward zero, refused when it is NaN or out of range.</summary>
    private static long CheckedInt64(string op, double value) =>
        double.IsNaN(value) || value >= 9.2233720368547758e18 || value < -9.2233720368547758e18
            ? throw new ArgumentOutOfRangeException(nameof(value), $"{op}: {value} does not fit an int64.")
            : (long)value;

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
