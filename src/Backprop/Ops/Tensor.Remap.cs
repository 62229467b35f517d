using Backprop.Autograd;
using Backprop.Kernels;

namespace Backprop;

public partial class Tensor
{
    /// <summary>
    /// This tensor broadcast to a larger shape (torch.Tensor.expand): dimensions of size 1 stretch, new leading
    /// dimensions are added, −1 keeps a size. A copy here (PyTorch returns a view); the gradient sums back.
    /// </summary>
    /// <param name="sizes">The new shape.</param>
    /// <returns>The expanded tensor.</returns>
    public Tensor Expand(params int[] sizes)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        var lead = sizes.Length - Rank;
        var shape = (int[])sizes.Clone();
        for (var i = 0; i < shape.Length; i++)
        {
            var own = i >= lead ? Dims[i - lead] : 1;
            if (shape[i] == -1 && i >= lead)
            {
                shape[i] = own;
            }

            if (lead < 0 || shape[i] < 0 || (own != 1 && own != shape[i]))
            {
                throw new ArgumentException($"Expand: {Shapes.Format(Dims)} cannot be expanded to {Shapes.Format(sizes)}: only dimensions of size 1 stretch, and new ones go in front.", nameof(sizes));
            }
        }

        var strides = Shapes.BroadcastStrides(Dims, shape);
        return Remap("Expand", shape, c => Dot(c, strides), graph: static (o, g, x) => [g.SumTo(x[0].Dims)]);
    }

    /// <summary>
    /// This tensor tiled <paramref name="repeats"/> times along each dimension (torch.Tensor.repeat); extra leading
    /// repeats add dimensions. The gradient sums over the copies.
    /// </summary>
    /// <param name="repeats">The number of copies per dimension, at least one per dimension of this tensor.</param>
    /// <returns>The tiled tensor.</returns>
    public Tensor Repeat(params int[] repeats)
    {
        ArgumentNullException.ThrowIfNull(repeats);
        var lead = repeats.Length - Rank;
        if (lead < 0 || repeats.Any(r => r < 0))
        {
            throw new ArgumentException($"Repeat: [{string.Join(", ", repeats)}] must give a non-negative count for each of the {Rank} dimensions of {Shapes.Format(Dims)} (extra counts go in front).", nameof(repeats));
        }

        var own = new int[repeats.Length];
        var shape = new int[repeats.Length];
        for (var i = 0; i < repeats.Length; i++)
        {
            own[i] = i >= lead ? Dims[i - lead] : 1;
            shape[i] = own[i] * repeats[i];
        }

        var strides = Shapes.Strides(own);
        return Remap("Repeat", shape, c =>
        {
            var p = 0;
            for (var i = 0; i < c.Length; i++)
            {
                p += c[i] % own[i] * strides[i];
            }

            return p;
        });
    }

    /// <summary>This tensor reversed along the given dimensions (torch.flip).</summary>
    /// <param name="dims">The dimensions to reverse.</param>
    /// <returns>The flipped tensor.</returns>
    public Tensor Flip(params int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        var flip = new bool[Rank];
        foreach (var d in dims)
        {
            flip[Shapes.NormalizeDim("Flip", d, Rank)] = true;
        }

        var strides = Shapes.Strides(Dims);
        return Remap("Flip", Dims, c =>
        {
            var p = 0;
            for (var i = 0; i < c.Length; i++)
            {
                p += (flip[i] ? Dims[i] - 1 - c[i] : c[i]) * strides[i];
            }

            return p;
        });
    }

    /// <summary>This tensor rolled along one dimension (torch.roll): element i moves to (i + shift) mod size.</summary>
    /// <param name="shift">How far; negative rolls the other way.</param>
    /// <param name="dim">The dimension.</param>
    /// <returns>The rolled tensor.</returns>
    public Tensor Roll(int shift, int dim) => Roll([shift], [dim]);

    /// <summary>This tensor rolled along several dimensions, one shift each (torch.roll).</summary>
    /// <param name="shifts">The shifts.</param>
    /// <param name="dims">The dimensions, as many as the shifts.</param>
    /// <returns>The rolled tensor.</returns>
    public Tensor Roll(int[] shifts, int[] dims)
    {
        ArgumentNullException.ThrowIfNull(shifts);
        ArgumentNullException.ThrowIfNull(dims);
        if (shifts.Length != dims.Length)
        {
            throw new ArgumentException($"Roll: {shifts.Length} shifts for {dims.Length} dimensions.", nameof(shifts));
        }

        var by = new int[Rank];
        for (var i = 0; i < dims.Length; i++)
        {
            var d = Shapes.NormalizeDim("Roll", dims[i], Rank);
            by[d] = Dims[d] == 0 ? 0 : (int)(((long)by[d] + shifts[i]) % Dims[d]);
        }

        var strides = Shapes.Strides(Dims);
        return Remap("Roll", Dims, c =>
        {
            var p = 0;
            for (var i = 0; i < c.Length; i++)
            {
                p += (((c[i] - by[i]) % Dims[i]) + Dims[i]) % Dims[i] * strides[i];
            }

            return p;
        });
    }

    /// <summary>
    /// Pads the last dimensions, as torch.nn.functional.pad: <paramref name="pad"/> holds (before, after) pairs
    /// starting from the last dimension, so [1, 2] pads the last dimension by 1 in front and 2 behind, and
    /// [1, 1, 2, 2] also pads the one before it by 2. Negative amounts crop (constant mode). Reflect needs each
    /// amount below the dimension's size.
    /// </summary>
    /// <param name="pad">The (before, after) pairs, last dimension first.</param>
    /// <param name="mode">How to fill the border.</param>
    /// <param name="value">The fill of <see cref="PadMode.Constant"/>.</param>
    /// <returns>The padded tensor.</returns>
    public Tensor Pad(int[] pad, PadMode mode = PadMode.Constant, double value = 0)
    {
        ArgumentNullException.ThrowIfNull(pad);
        if (pad.Length % 2 != 0 || pad.Length / 2 > Rank)
        {
            throw new ArgumentException($"Pad: [{string.Join(", ", pad)}] must hold (before, after) pairs for at most the {Rank} dimensions of {Shapes.Format(Dims)}.", nameof(pad));
        }

        var before = new int[Rank];
        var shape = (int[])Dims.Clone();
        for (var j = 0; j < pad.Length / 2; j++)
        {
            var d = Rank - 1 - j;
            int lo = pad[2 * j], hi = pad[(2 * j) + 1];
            before[d] = lo;
            shape[d] = Dims[d] + lo + hi;
            var fits = shape[d] >= 0 && (mode == PadMode.Constant || (lo >= 0 && hi >= 0 && Dims[d] > 0))
                && (mode != PadMode.Reflect || (lo < Dims[d] && hi < Dims[d]))
                && (mode != PadMode.Circular || (lo <= Dims[d] && hi <= Dims[d]));
            if (!fits)
            {
                throw new ArgumentException($"Pad: {mode} padding of ({lo}, {hi}) does not fit dimension {d} of size {Dims[d]} (shape {Shapes.Format(Dims)}).", nameof(pad));
            }
        }

        var strides = Shapes.Strides(Dims);
        return Remap("Pad", shape, c =>
        {
            var p = 0;
            for (var i = 0; i < c.Length; i++)
            {
                int n = Dims[i], k = c[i] - before[i];
                if (k < 0 || k >= n)
                {
                    switch (mode)
                    {
                        case PadMode.Constant: return -1;
                        case PadMode.Reflect: k = k < 0 ? -k : (2 * (n - 1)) - k; break;
                        case PadMode.Replicate: k = Math.Clamp(k, 0, n - 1); break;
                        default: k = ((k % n) + n) % n; break;
                    }
                }

                p += k * strides[i];
            }

            return p;
        }, value);
    }

    /// <summary>
    /// An output of <paramref name="shape"/> whose element at coordinates c is this tensor's element
    /// source(c) (or <paramref name="fill"/> where source gives −1), for any dtype; the gradient sums back
    /// into the sources.
    /// </summary>
    private Tensor Remap(string op, int[] shape, Func<int[], int> source, double fill = 0, GraphBackwardFn? graph = null)
    {
        var positions = new int[Shapes.Numel(shape)];
        var coordinates = new int[shape.Length];
        for (var k = 0; k < positions.Length; k++)
        {
            positions[k] = source(coordinates);
            Shapes.Increment(coordinates, shape);
        }

        return TakeAt(op, positions, shape, fill, graph);
    }

    /// <summary>
    /// The op behind every index remapping: element k of the result (of <paramref name="shape"/>) is element
    /// positions[k] of this tensor, row-major, or <paramref name="fill"/> where the position is negative (padding).
    /// The gradient scatters back (<see cref="PutAddAt"/>), through tensor ops too unless <paramref name="graph"/>
    /// gives a cheaper one.
    /// </summary>
    internal Tensor TakeAt(string op, int[] positions, int[] shape, double fill = 0, GraphBackwardFn? graph = null)
    {
        var result = NewOutput(shape, _dtype);
        if (positions.AsSpan().IndexOfAnyInRange(int.MinValue, -1) >= 0)
        {
            result.Fill(fill);
        }

        Take.GatherSome(RawStorage, positions, result.RawStorage);
        if (NeedsGrad(this))
        {
            RecordTake(result, op, positions, graph);
        }

        return result;
    }

    /// <summary>Records <paramref name="result"/> as element positions[k] of this tensor for each k: the gradient scatters back.</summary>
    private void RecordTake(Tensor result, string op, int[] positions, GraphBackwardFn? graph)
    {
        var input = this;
        result.Record(op, [input], g => Take.ScatterAdd(g, positions, input.GradAccumulator()), graph: graph ?? ((o, g, x) => [g.PutAddAt(positions, x[0].Dims)]));
    }

    /// <summary>
    /// The adjoint of <see cref="TakeAt"/>: a zero tensor of <paramref name="dims"/> with element k of this tensor
    /// added at positions[k] (summed where positions repeat, skipped where negative). A gradient op, for the
    /// floating dtypes; its own gradient gathers again.
    /// </summary>
    internal Tensor PutAddAt(int[] positions, int[] dims)
    {
        var result = NewOutput(dims, _dtype, zeroed: true);
        if (_dtype == DType.Float64)
        {
            var (src, dst) = (Storage<double>(), result.Storage<double>());
            for (var k = 0; k < positions.Length; k++)
            {
                if (positions[k] >= 0)
                {
                    dst[positions[k]] += src[k];
                }
            }
        }
        else
        {
            RequireFloat32("PutAdd", this);
            Take.ScatterAdd(Data, positions, result.Data);
        }

        if (NeedsGrad(this))
        {
            var input = this;
            result.Record("PutAdd", [input], g => Take.GatherAdd(g, positions, input.GradAccumulator()), graph: (o, g, x) => [g.TakeAt("Take", positions, x[0].Dims)]);
        }

        return result;
    }

    private static int Dot(int[] coordinates, int[] strides)
    {
        var p = 0;
        for (var i = 0; i < coordinates.Length; i++)
        {
            p += coordinates[i] * strides[i];
        }

        return p;
    }
}
