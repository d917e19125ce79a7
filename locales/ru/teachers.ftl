# The teachers of a class.
teachers-title = 👩‍🏫 <b>Учителя класса { $klass }</b>
teachers-class-teacher = Классный руководитель: <b>{ $name }</b>
teachers-no-class-teacher = Классный руководитель не назначен.
teachers-line = { $subject } — { $name }
teachers-line-subgroup = { $subject } ({ $group }) — { $name }
teachers-none = Учителя пока не назначены.
