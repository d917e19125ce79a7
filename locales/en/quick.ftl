menu-staff-quick = ✍️ Quick entry
quick-title = ✍️ <b>Quick entry</b>: your lessons today. Pick a lesson to take the register and set its topic and homework.
quick-no-lessons = You have no lessons today that can be filled in.
quick-lesson = Lesson { $slot } · { $klass } · { $subject }
quick-lesson-button = { $slot }. { $klass } · { $subject }
quick-topic = Topic: { $topic }
quick-no-topic = No topic yet.
quick-taken = The register has been taken; saving replaces it.
quick-not-taken = The register has not been taken yet.
quick-hint = Everyone is present; tap each student who is not there, then Save.
quick-present = ✅ { $name }
quick-away = ❌ { $name }
quick-save = 💾 Save (away: { $count })
quick-btn-topic = 📝 Topic
quick-btn-homework = 📚 Homework
quick-btn-lessons = ⬅️ Lessons
quick-btn-back = ⬅️ Back to the lesson
quick-saved = ✅ Register saved: { $away ->
        [0] everyone was present
       *[other] { $away } away
    }. Notifications to families: { $queued }.
quick-ask-topic = { $lesson }: send the lesson's topic (up to { $limit } characters).
quick-ask-homework = { $lesson }: send the homework (up to { $limit } characters). It is due at the subject's next lesson.
quick-too-long = Too long: { $limit } characters at most. Please send a shorter one.
quick-topic-saved = ✅ { $lesson }: topic saved — { $topic }
quick-homework-saved = ✅ { $lesson }: homework saved, due { $date }. Notifications to families: { $queued }.
