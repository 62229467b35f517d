using System.Runtime.Intrinsics;

namespace Backprop.Kernels.Elementwise;

/// <summary>
/// An in-place update of a value and its state from a gradient, (p, s) ← f(p, g, s), once per vector
/// width (see <see cref="IUnaryOperator"/>): the shape of an optimizer step with one state buffer.
/// </summary>
internal interface IUpdateOperator
{
    /// <summary>Updates one element.</summary>
    void Invoke(ref float p, float g, ref float s);

    /// <summary>Updates four elements.</summary>
    void Invoke(ref Vector128<float> p, Vector128<float> g, ref Vector128<float> s);

    /// <summary>Updates eight elements.</summary>
    void Invoke(ref Vector256<float> p, Vector256<float> g, ref Vector256<float> s);

    /// <summary>Updates sixteen elements.</summary>
    void Invoke(ref Vector512<float> p, Vector512<float> g, ref Vector512<float> s);
}
