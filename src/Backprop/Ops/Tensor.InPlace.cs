using System.Numerics.Tensors;
using Backprop.Kernels;

namespace Backprop;

public partial class Tensor
{
    /// <summary>
    /// this += alpha·other, in place (other broadcasts to this tensor's shape). Records no graph: where autograd tracks
    /// this tensor, other must be a constant to it (a change that leaves this tensor's gradient as it is); a tracked
    /// other is refused, since its gradient would be lost.
    /// </summary>
    /// <param name="other">The tensor to add.</param>
    /// <param name="alpha">Its scale.</param>
    /// <returns>This tensor.</returns>
    public Tensor AddInPlace(Tensor other, float alpha = 1f)
    {
        ArgumentNullException.ThrowIfNull(other);
        CheckInPlace("AddInPlace", keepsGradient: true);
        CheckInPlaceSource("AddInPlace", "the tensor added", other, "use Add (or +), or add inside Tensor.NoGrad() if no gradient should reach it");

        var float64 = IsFloat64("AddInPlace", this, other);
        if (!Shapes.Broadcast("AddInPlace", Dims, other.Dims).AsSpan().SequenceEqual(Dims))
        {
            throw new ArgumentException($"AddInPlace: {Shapes.Format(other.Dims)} does not broadcast to the target's shape {Shapes.Format(Dims)}.", nameof(other));
        }

        if (float64)
        {
            var target = Storage<double>();
            var scaled = new double[other.Numel];
            TensorPrimitives.Multiply(other.Storage<double>(), (double)alpha, scaled);
            Broadcasting.Binary<double, AddOp>(target, Dims, scaled, other.Dims, target, Dims);
        }
        else if (other.Numel == Numel)
        {
            TensorPrimitives.MultiplyAdd(other.Data, alpha, Data, Data);
        }
        else
        {
            var scaled = new float[other.Numel];
            TensorPrimitives.Multiply(other.Data, alpha, scaled);
            Broadcasting.Binary<float, AddOp>(Data, Dims, scaled, other.Dims, Data, Dims);
        }

        BumpVersion();
        return this;
    }

    /// <summary>this −= other, in place. Records no graph (see <see cref="AddInPlace"/>).</summary>
    /// <param name="other">The tensor to subtract.</param>
    /// <returns>This tensor.</returns>
    public Tensor SubInPlace(Tensor other) => AddInPlace(other, -1f);

    /// <summary>this ·= s, in place. Records no graph, so it is refused on a tensor autograd tracks (use <c>*</c>).</summary>
    /// <param name="s">The factor.</param>
    /// <returns>This tensor.</returns>
    public Tensor MulInPlace(float s)
    {
        CheckInPlace("MulInPlace");
        RequireFloating("MulInPlace", this);
        if (_dtype == DType.Float64)
        {
            TensorPrimitives.Multiply(Storage<double>(), (double)s, Storage<double>());
        }
        else
        {
            TensorPrimitives.Multiply(Data, s, Data);
        }

        BumpVersion();
        return this;
    }

    /// <summary>max(x, 0) in place, for inference where no gradient is needed: it records no graph, so it is refused on a tensor autograd tracks (use <see cref="Relu"/>).</summary>
    /// <returns>This tensor.</returns>
    public Tensor ReluInPlace()
    {
        CheckInPlace("ReluInPlace");
        RequireFloating("ReluInPlace", this);
        if (_dtype == DType.Float64)
        {
            TensorPrimitives.Max(Storage<double>(), 0.0, Storage<double>());
            BumpVersion();
            return this;
        }

        var data = Data;
        WorkSplitter.For(data.Length, WorkSplitter.ElementwiseMinimum, (start, length) => TensorPrimitives.Max(data.AsSpan(start, length), 0f, data.AsSpan(start, length)));
        BumpVersion();
        return this;
    }

    /// <summary>Sets every element to <paramref name="value"/> (converted to the dtype), in place. Records no graph, so it is refused on a tensor autograd tracks.</summary>
    /// <param name="value">The value.</param>
    /// <returns>This tensor.</returns>
    public Tensor Fill(double value)
    {
        CheckInPlace("Fill");
        switch (RawStorage)
        {
            case float[] f: f.AsSpan().Fill((float)value); break;
            case double[] d: d.AsSpan().Fill(value); break;
            case long[] l: l.AsSpan().Fill(CheckedInt64("Fill", value)); break;
            default: Storage<bool>().AsSpan().Fill(value != 0); break;
        }

        BumpVersion();
        return this;
    }

    /// <summary>
    /// Copies the values of a tensor of the same shape into this one, in place, converting them to this tensor's dtype
    /// (torch.Tensor.copy_). Records no graph, so it is refused on a tensor autograd tracks and, outside
    /// Tensor.NoGrad(), from a source that requires grad.
    /// </summary>
    /// <param name="source">The values to copy.</param>
    /// <returns>This tensor.</returns>
    public Tensor CopyFrom(Tensor source)
    {
        ArgumentNullException.ThrowIfNull(source);
        CheckInPlace("CopyFrom");
        CheckInPlaceSource("CopyFrom", "the source", source, "copy inside Tensor.NoGrad(), or from source.Detach() if no gradient should reach it");

        if (!source.Dims.AsSpan().SequenceEqual(Dims))
        {
            throw new ArgumentException($"CopyFrom: source shape {Shapes.Format(source.Dims)} differs from target shape {Shapes.Format(Dims)}.", nameof(source));
        }

        Conversion.Convert(source.RawStorage, RawStorage);
        BumpVersion();
        return this;
    }
}
