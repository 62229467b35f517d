using System.Runtime.Intrinsics;

namespace Backprop.Kernels.Elementwise;

/// <summary>
/// An elementwise function d = f(x), written once per vector width so that <see cref="Elementwise.Map{TOp}(ReadOnlySpan{float}, Span{float}, TOp)"/>
/// runs it at the widest width the CPU accelerates (the shape of TensorPrimitives' operators).
/// A struct: the generic loop is specialised for it and every call is inlined; fields hold parameters (a slope, a rate).
/// </summary>
internal interface IUnaryOperator
{
    /// <summary>f(x) for one element.</summary>
    float Invoke(float x);

    /// <summary>f(x) for four elements.</summary>
    Vector128<float> Invoke(Vector128<float> x);

    /// <summary>f(x) for eight elements.</summary>
    Vector256<float> Invoke(Vector256<float> x);

    /// <summary>f(x) for sixteen elements.</summary>
    Vector512<float> Invoke(Vector512<float> x);
}
